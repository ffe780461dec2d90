// Every route the server registers (method, URL pattern, schema), collected as routes are added —
// the same hook @fastify/swagger builds the OpenAPI document from. The error handler uses it to tell
// "no such path" (404) from "no such method on this path" (405 with Allow); the route-table fuzz
// test walks it, so a route added later is covered without writing a test for it.
import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify';

export interface RouteEntry {
  method: string;
  /** The pattern as registered: `/v1/sources/:id/live`. */
  url: string;
  schema?: FastifySchema;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: RouteTable;
  }
}

export class RouteTable {
  readonly routes: RouteEntry[] = [];
  private readonly patterns = new Map<string, { match: RegExp; methods: Set<string> }>();

  add(route: RouteOptions) {
    for (const method of [route.method].flat()) {
      this.routes.push({ method, url: route.url, schema: route.schema });
      let entry = this.patterns.get(route.url);
      if (!entry) this.patterns.set(route.url, (entry = { match: patternOf(route.url), methods: new Set() }));
      entry.methods.add(method);
    }
  }

  /** The methods some route answers for this concrete path (empty when no route has the path). */
  methodsFor(path: string): string[] {
    const methods = new Set<string>();
    for (const { match, methods: m } of this.patterns.values()) if (match.test(path)) m.forEach((x) => methods.add(x));
    return [...methods].sort();
  }
}

/** `/v1/sources/:id/live` → /^\/v1\/sources\/[^/]+\/live$/ (a parameter is one non-empty path segment). */
function patternOf(url: string): RegExp {
  const source = url
    .split('/')
    .map((part) => (part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}

/** Starts collecting: call before any route is registered. */
export function collectRoutes(app: FastifyInstance): RouteTable {
  const table = new RouteTable();
  app.decorate('routeTable', table);
  app.addHook('onRoute', (route) => table.add(route));
  return table;
}
