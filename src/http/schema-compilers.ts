// One validator compiler and one serializer compiler for the whole process, given to every Fastify app
// through `schemaController.compilersFactory`. Fastify's defaults build a fresh Ajv instance and compile
// every route's JSON schema (ajv for requests, fast-json-stringify for responses) again for each app:
// a process that builds several apps (the test suite, which starts a server per test file or per test)
// paid that cost, seconds on a loaded machine, each time. Here a schema compiled once is reused by any
// later app whose schema, shared schemas and compiler options are identical (compared by content, so
// schema objects rebuilt per app still hit); anything else compiles as before. The server itself
// builds one app and sees no difference.
import { AjvCompiler } from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type ValidatorFactory = NonNullable<CompilersFactory['buildValidator']>;
type SerializerFactory = NonNullable<CompilersFactory['buildSerializer']>;
type RouteSchema = { schema: unknown; method?: string; url?: string; httpPart?: string; httpStatus?: string };

/**
 * A stable text for a schema or option object: its JSON, with functions (Ajv plugins, `onCreate`) by
 * name and source so two different plugins never share a key. Undefined when it cannot be written
 * (e.g. a BigInt default): that schema is then compiled without the cache.
 */
function contentKey(value: unknown): string | undefined {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'function' ? `[function ${v.name} ${String(v)}]` : v));
  } catch {
    return undefined;
  }
}

/** Compiled functions by content key; cleared when it grows past this (a process that keeps building new schemas). */
const MAX_ENTRIES = 5_000;

function boundedSet<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(key, value);
  return value;
}

/**
 * Fastify calls this once per app (and per plugin context that adds shared schemas) with the shared
 * schemas and its `ajv` option (custom options, plugins). Upstream keeps one Ajv per factory, i.e. per
 * app; here there is one Ajv per distinct (shared schemas, options) for the process, and compiled
 * validators are kept by (that key, route schema).
 */
function sharedValidatorFactory(): ValidatorFactory {
  type Compile = ReturnType<ReturnType<typeof AjvCompiler>>;
  const compilers = new Map<string, Compile>();
  const compiled = new Map<string, ReturnType<Compile>>();
  const factory = ((externalSchemas: Parameters<ReturnType<typeof AjvCompiler>>[0], options: Parameters<ReturnType<typeof AjvCompiler>>[1]) => {
    const poolKey = contentKey([externalSchemas, options ?? null]);
    if (poolKey === undefined) return AjvCompiler()(externalSchemas, options);
    let compile = compilers.get(poolKey);
    if (!compile) {
      if (compilers.size >= MAX_ENTRIES) compilers.clear();
      compile = AjvCompiler()(externalSchemas, options);
      compilers.set(poolKey, compile);
    }
    const ajvCompile = compile;
    return (route: RouteSchema) => {
      const schemaKey = contentKey(route.schema);
      if (schemaKey === undefined) return ajvCompile(route as Parameters<Compile>[0]);
      const key = `${poolKey}\u0000${schemaKey}`;
      return compiled.get(key) ?? boundedSet(compiled, key, ajvCompile(route as Parameters<Compile>[0]));
    };
  }) as unknown as ValidatorFactory;
  return factory;
}

/** fast-json-stringify builds a serializer per response schema with no cache of its own; this keeps them by content. */
function sharedSerializerFactory(): SerializerFactory {
  const upstream = SerializerSelector();
  const compiled = new Map<string, (data: unknown) => string>();
  const factory = ((externalSchemas: Record<string, unknown>, serializerOpts: unknown) => {
    const build = upstream(externalSchemas as never, serializerOpts as never) as unknown as (route: RouteSchema) => (data: unknown) => string;
    const optsKey = contentKey([externalSchemas, serializerOpts ?? null]);
    return (route: RouteSchema) => {
      const schemaKey = optsKey === undefined ? undefined : contentKey(route.schema);
      if (schemaKey === undefined) return build(route);
      const key = `${optsKey}\u0000${schemaKey}`;
      return compiled.get(key) ?? boundedSet(compiled, key, build(route));
    };
  }) as unknown as SerializerFactory;
  return factory;
}

/** The process-wide compilers: pass as `schemaController: { compilersFactory: schemaCompilers }`. */
export const schemaCompilers: CompilersFactory = {
  buildValidator: sharedValidatorFactory(),
  buildSerializer: sharedSerializerFactory(),
};
