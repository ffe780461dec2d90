// The process-wide schema compilers (src/http/schema-compilers.ts): apps with the same schemas reuse
// compiled validators and serializers; a different schema, shared schema or option never does.
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { schemaCompilers } from '../src/http/schema-compilers.js';

const ajvOptions = { customOptions: { coerceTypes: true, removeAdditional: false, useDefaults: true }, plugins: [] };
// A fresh object each time, as an app built again would have.
const body = () => ({ type: 'object', properties: { n: { type: 'integer' }, tag: { type: 'string', default: 'none' } }, required: ['n'] });

describe('shared schema compilers', () => {
  it('reuses a validator for the same schema and options, even as a new object', () => {
    const a = schemaCompilers.buildValidator!({}, ajvOptions)({ schema: body(), method: 'POST', url: '/a', httpPart: 'body' });
    const b = schemaCompilers.buildValidator!({}, structuredClone(ajvOptions))({ schema: body(), method: 'POST', url: '/b', httpPart: 'body' });
    expect(b).toBe(a);
    const data: Record<string, unknown> = { n: '3' };
    expect(a(data)).toBe(true);
    expect(data).toEqual({ n: 3, tag: 'none' });
  });

  it('compiles anew when the schema, the shared schemas or the options differ', () => {
    const base = schemaCompilers.buildValidator!({}, ajvOptions)({ schema: body() });
    const other = schemaCompilers.buildValidator!({}, ajvOptions)({ schema: { ...body(), required: ['tag'] } });
    expect(other).not.toBe(base);
    expect(other({ n: 1 })).toBe(true); // the default fills tag
    expect(other({})).toBe(true);
    expect(base({})).toBe(false);

    const strict = schemaCompilers.buildValidator!({}, { ...ajvOptions, customOptions: { ...ajvOptions.customOptions, coerceTypes: false } })({ schema: body() });
    expect(strict).not.toBe(base);
    expect(strict({ n: '3' })).toBe(false);
    expect(base({ n: '3' })).toBe(true);

    const shared = { Count: { $id: 'Count', type: 'integer', maximum: 5 } };
    const refSchema = { type: 'object', properties: { n: { $ref: 'Count' } } };
    const withShared = schemaCompilers.buildValidator!(shared, ajvOptions)({ schema: refSchema });
    const withOtherShared = schemaCompilers.buildValidator!({ Count: { ...shared.Count, maximum: 50 } }, ajvOptions)({ schema: refSchema });
    expect(withOtherShared).not.toBe(withShared);
    expect(withShared({ n: 10 })).toBe(false);
    expect(withOtherShared({ n: 10 })).toBe(true);
  });

  it('reuses a serializer for the same response schema and keeps different ones apart', () => {
    const schema = () => ({ type: 'object', properties: { id: { type: 'string' } } });
    const a = schemaCompilers.buildSerializer!({}, {})({ schema: schema(), method: 'GET', url: '/a', httpStatus: '200' });
    const b = schemaCompilers.buildSerializer!({}, {})({ schema: schema(), method: 'GET', url: '/b', httpStatus: '200' });
    expect(b).toBe(a);
    expect(a({ id: 'x', secret: 'y' })).toBe('{"id":"x"}');
    const wider = schemaCompilers.buildSerializer!({}, {})({ schema: { type: 'object', properties: { id: { type: 'string' }, secret: { type: 'string' } } }, method: 'GET', url: '/c', httpStatus: '200' });
    expect(wider).not.toBe(a);
    expect(wider({ id: 'x', secret: 'y' })).toBe('{"id":"x","secret":"y"}');
  });

  it('serves two Fastify apps that validate and serialize as each declares', async () => {
    const build = (max: number) => {
      const app = Fastify({ ajv: ajvOptions, schemaController: { compilersFactory: schemaCompilers } });
      app.post('/n', { schema: { body: { type: 'object', properties: { n: { type: 'integer', maximum: max } }, required: ['n'] }, response: { 200: { type: 'object', properties: { n: { type: 'integer' } } } } } }, async (req) => ({ ...(req.body as object), extra: 1 }));
      return app;
    };
    const [small, large, small2] = [build(5), build(50), build(5)];
    try {
      const post = (app: ReturnType<typeof build>, n: number) => app.inject({ method: 'POST', url: '/n', payload: { n } });
      expect((await post(small, 10)).statusCode).toBe(400);
      expect((await post(small2, 10)).statusCode).toBe(400);
      const ok = await post(large, 10);
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toEqual({ n: 10 });
    } finally {
      await Promise.all([small.close(), large.close(), small2.close()]);
    }
  });
});
