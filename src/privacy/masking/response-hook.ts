// The one place personal data is masked on its way out of the API: a preSerialization hook that
// masks, in every response of a route declaring `config.pii`, the parts of the body it names for
// the caller's access level. Routes that stream (CSV exports, the live debugger) call `maskerOf`.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ClassificationStore } from '../classification/store.js';
import { piiAccessOf } from '../../auth/index.js';
import type { Masker } from '../../shared/masker.js';
import { maskerFor } from './mask-tree.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Where the response holds profile data: dotted paths, `[]` for every item of an array, `''` for
     * the whole body — e.g. `['data[].traits', 'data[].identities']`.
     */
    pii?: readonly string[];
  }
}

/** The masker for the caller of this request (the identity function for full access). */
export async function maskerOf(classification: ClassificationStore, req: FastifyRequest): Promise<Masker> {
  const access = piiAccessOf(req.principal);
  return access === 'full' ? (d) => d : maskerFor(await classification.classifier(), access);
}

/** Installs the hook on the root instance, before the capabilities register their routes. */
export function installMasking(app: FastifyInstance, classification: ClassificationStore) {
  // Callback-style: answers without personal data (every tracking call) pass without a promise.
  app.addHook('preSerialization', (req, reply, payload, done) => {
    const paths = req.routeOptions.config?.pii;
    if (!paths || reply.statusCode >= 400 || payload === null || typeof payload !== 'object') return done(null, payload);
    if (piiAccessOf(req.principal) === 'full') return done(null, payload);
    maskerOf(classification, req).then((mask) => {
      let out: unknown = payload;
      for (const path of paths) out = applyAt(out, path === '' ? [] : path.split('.'), mask);
      done(null, out);
    }, done);
  });
}

/** A copy of `node` with `mask` applied at `path` (segments; `name[]` descends into every item). */
function applyAt(node: unknown, path: string[], mask: Masker): unknown {
  if (path.length === 0) return mask(node);
  if (node === null || typeof node !== 'object') return node;
  const [head, ...rest] = path;
  const each = head.endsWith('[]');
  const key = each ? head.slice(0, -2) : head;
  const record = node as Record<string, unknown>;
  if (!(key in record)) return node;
  const child = record[key];
  const next = each && Array.isArray(child) ? child.map((item) => applyAt(item, rest, mask)) : each ? child : applyAt(child, rest, mask);
  return { ...record, [key]: next };
}
