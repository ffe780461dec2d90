// HTTPS with a configured certificate: a self-signed one made by the openssl CLI for the test.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { tlsOptions } from '../src/http/tls.js';

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    console.warn('[meridian tests] the openssl CLI is missing: the TLS tests are SKIPPED');
    return false;
  }
})();

describe.skipIf(!hasOpenssl)('TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  let server: TestServer;

  beforeAll(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
    server = await startTestServer({ config: { tlsCert: cert, tlsKey: key } });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (url: string) =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
      const req = request(url, { ca: readFileSync(cert) }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });

  it('serves HTTPS with the configured certificate and sends HSTS', async () => {
    expect(server.url.startsWith('https://')).toBe(true);
    const res = await get(server.url + '/healthz');
    expect(res.status).toBe(200);
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });

  it('refuses plain HTTP on the TLS port', async () => {
    await expect(fetch(server.url.replace('https://', 'http://') + '/healthz')).rejects.toThrow();
  });

  it('needs both the certificate and the key, and says which file it cannot read', () => {
    expect(() => tlsOptions({ tlsCert: cert })).toThrow(/MERIDIAN_TLS_CERT and MERIDIAN_TLS_KEY/);
    expect(() => tlsOptions({ tlsCert: cert, tlsKey: join(dir, 'missing.pem') })).toThrow(/MERIDIAN_TLS_KEY .*missing\.pem cannot be read/);
  });
});

describe('without TLS', () => {
  it('serves plain HTTP without HSTS', async () => {
    const server = await startTestServer();
    try {
      const res = await fetch(server.url + '/healthz');
      expect(res.headers.get('strict-transport-security')).toBeNull();
    } finally {
      await server.close();
    }
  });
});
