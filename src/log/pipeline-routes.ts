// Admin API of the pipeline's fault isolation: the health of each stage, the items stages set aside,
// and their replay once the cause is fixed.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { ApiKeyStore } from '../auth/index.js';
import { AppError } from '../shared/errors.js';
import { PageOf } from '../shared/paging.js';
import type { Db, Dialect } from '../storage/index.js';
import type { SealedJson } from '../shared/encryption/sealed-json.js';
import { PipelineHealth } from './pipeline-health.js';
import { listStageFailures, openFailure, StageFailure, StageFailureQuery, toFailure } from './stage-failures.js';

const IdParams = Type.Object({ id: Type.String() });
const ReplayAllBody = Type.Object({
  stage: Type.String(),
  /** At most this many, oldest first; call again while `remaining` > 0. */
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
});
const ReplayAllResult = Type.Object({
  replayed: Type.Integer(),
  failed: Type.Array(Type.Object({ id: Type.String(), error: Type.String() })),
  remaining: Type.Integer(),
});

/** What can replay the items set aside under a stage name: a Stage, database sync (`db_sync:<source>`). */
export interface Replayer {
  owns(stage: string): boolean;
  replay(id: string): Promise<void>;
}

export async function pipelineRoutes(
  app: FastifyInstance,
  o: { db: Db; dialect: Dialect; items: SealedJson; keys: ApiKeyStore; replayers: Replayer[]; health(): Promise<PipelineHealth> },
) {
  const tags = ['pipeline'];
  const replayerOf = (stage: string) => {
    const replayer = o.replayers.find((r) => r.owns(stage));
    if (!replayer) throw new AppError('unknown_stage', 400, `no stage ${stage} sets items aside in this server`);
    return replayer;
  };

  app.get(
    '/v1/pipeline/health',
    {
      schema: { tags, summary: 'Per stage: lag, failures in a row, items set aside, stuck or not (503 when a stage is stuck)', response: { 200: PipelineHealth, 503: PipelineHealth } },
    },
    async (_req, reply) => {
      const health = await o.health();
      return reply.code(health.status === 'ok' ? 200 : 503).send(health);
    },
  );

  app.get<{ Querystring: StageFailureQuery }>(
    '/v1/pipeline/failures',
    { config: { pii: ['data[].item'] }, schema: { tags, summary: 'Items stages set aside after bounded retries, newest first', querystring: StageFailureQuery, response: { 200: PageOf(StageFailure) } } },
    async (req) => listStageFailures(o.db, o.items, req.query),
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/v1/pipeline/failures/:id/replay',
    { config: { pii: ['item'] }, schema: { tags, summary: 'Apply a set-aside item to its stage now (once; 409 replay_failed when it still fails)', params: IdParams, response: { 200: StageFailure } } },
    async (req) => {
      const row = await openFailure(o.db, o.items, req.params.id);
      if (!row) throw new AppError('stage_failure_not_found', 404, `no set-aside item ${req.params.id}`);
      await replayerOf(row.stage).replay(row.id);
      return toFailure((await openFailure(o.db, o.items, row.id))!);
    },
  );

  app.post<{ Body: Static<typeof ReplayAllBody> }>(
    '/v1/pipeline/failures/replay',
    { schema: { tags, summary: "Replay a stage's open set-aside items, oldest first", body: ReplayAllBody, response: { 200: ReplayAllResult } } },
    async (req) => {
      const stage = req.body.stage;
      const replayer = replayerOf(stage);
      const ids = await o.db
        .selectFrom('stage_failures')
        .select('id')
        .where('stage', '=', stage)
        .where('status', '=', 'open')
        .orderBy('position')
        .limit(req.body.limit ?? 100)
        .execute();
      const failed: { id: string; error: string }[] = [];
      for (const { id } of ids)
        await replayer.replay(id).catch((err: Error) => {
          failed.push({ id, error: err.message });
        });
      const left = await o.db
        .selectFrom('stage_failures')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('stage', '=', stage)
        .where('status', '=', 'open')
        .executeTakeFirst();
      return { replayed: ids.length - failed.length, failed, remaining: Number(left?.n ?? 0) };
    },
  );
}
