// A stage that cannot progress is reported, not silent: GET /v1/pipeline/health answers 503 naming
// the stage and the reason, /metrics has meridian_stage_stuck, while /readyz stays 200 (the API
// still accepts events). A transient error sets nothing aside, and the stage resumes once it clears.
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from './helpers/eventually.js';
import { startTestServer, track, type TestServer } from './helpers/server.js';

describe('pipeline health', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('reports a stage stuck on a lasting outage, sets nothing aside, and recovers', async () => {
    let outage = true;
    const server: TestServer = await startTestServer({
      deps: {
        stuckAfterMs: 500,
        // The store unreachable for the identity stage (a refused connection: transient).
        stageFault: (stage) => {
          if (stage === 'identity' && outage) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
        },
      },
    });
    cleanup.push(() => server.close());
    const health = async () => {
      const res = await server.admin('/v1/pipeline/health');
      return { status: res.status, body: (await res.json()) as any };
    };
    expect((await health()).status).toBe(200);

    const { writeKey } = await server.createSource();
    for (let u = 0; u < 5; u++) expect((await track(server.url, writeKey, '/v1/track', { userId: `u${u}`, event: 'Step' })).status).toBe(200);
    const stuck = await eventually(async () => {
      const h = await health();
      expect(h.status).toBe(503);
      return h.body;
    });
    expect(stuck.status).toBe('stuck');
    const identity = stuck.stages.find((s: any) => s.stage === 'identity');
    expect(identity).toMatchObject({ running: true, stuck: true, lag: 5, setAside: 0, lastError: 'connect ECONNREFUSED 127.0.0.1:5432' });
    expect(identity.reason).toMatch(/^failing for \d+ s \(\d+ attempts in a row\): connect ECONNREFUSED/);
    expect(identity.consecutiveFailures).toBeGreaterThan(1);
    expect(stuck.stages.find((s: any) => s.stage === 'campaign-touches')).toMatchObject({ stuck: false, lag: 0 });
    const metrics = await (await fetch(server.url + '/metrics')).text();
    expect(metrics).toContain('meridian_stage_stuck{stage="identity"} 1');
    expect(metrics).toContain('meridian_stage_lag{stage="identity"} 5');
    expect(metrics).toMatch(/meridian_stage_consecutive_failures\{stage="identity"\} [1-9]/);
    expect((await fetch(server.url + '/readyz')).status).toBe(200);

    outage = false;
    await eventually(async () => {
      const h = await health();
      expect(h.status).toBe(200);
      expect(h.body.stages.find((s: any) => s.stage === 'identity')).toMatchObject({ stuck: false, lag: 0, consecutiveFailures: 0 });
    }, 15_000);
    expect(((await (await server.admin('/v1/pipeline/failures')).json()) as any).data).toEqual([]);
    expect((await server.admin('/v1/profiles/user_id/u4')).status).toBe(200);
  });
});
