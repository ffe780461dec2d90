// Read side of the log for engineers: what arrived (paged), a live tail per source for the
// debugger (Server-Sent Events), and the failed events with their reasons.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { ApiKeyStore } from '../auth/index.js';
import { AppError } from '../shared/errors.js';
import { PageOf } from '../shared/paging.js';
import type { EventLog, StoredEvent } from './event-log.js';
import type { FailedEvents } from './failed-events.js';
import type { SourceStore } from '../sources/index.js';
import { EventView, FailedView } from './schema.js';
import type { RequestMasker } from '../shared/masker.js';

const EventsQuery = Type.Object({
  userId: Type.Optional(Type.String()),
  anonymousId: Type.Optional(Type.String()),
  type: Type.Optional(Type.String()),
  sourceId: Type.Optional(Type.String()),
  since: Type.Optional(Type.String({ description: 'ISO-8601: only events received at or after this time' })),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  cursor: Type.Optional(Type.String()),
});

const view = (e: StoredEvent) => ({
  seq: e.seq,
  sourceId: e.sourceId,
  messageId: e.messageId,
  type: e.type,
  receivedAt: new Date(e.receivedAt).toISOString(),
  message: e.payload,
});

export async function logRoutes(app: FastifyInstance, opts: { log: EventLog; failed: FailedEvents; keys: ApiKeyStore; sources: SourceStore; maskerOf: RequestMasker }) {
  // A live tail never ends by itself: end every open one when the server starts closing, or close()
  // would wait for the last debugger tab to go away.
  const tails = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of tails) end();
  });

  app.get<{ Querystring: Static<typeof EventsQuery> }>(
    '/v1/events',
    { config: { pii: ['data[].message'] }, schema: { tags: ['events'], summary: 'Events that arrived, newest first', querystring: EventsQuery, response: { 200: PageOf(EventView) } } },
    async (req) => {
      const { since, ...q } = req.query;
      const sinceMs = since === undefined ? undefined : Date.parse(since);
      if (sinceMs !== undefined && Number.isNaN(sinceMs))
        throw new AppError('invalid_query', 400, `since: ${JSON.stringify(since)} is not an ISO-8601 date-time`, { field: 'since' });
      const page = await opts.log.query({ ...q, since: sinceMs });
      return { data: page.data.map(view), next: page.next };
    },
  );

  app.get<{ Querystring: { sourceId?: string; limit: number; cursor?: string } }>(
    '/v1/failed-events',
    {
      config: { pii: ['data[].payload'] },
      schema: {
        tags: ['events'],
        summary: 'Events that could not enter the log, with the reason',
        querystring: Type.Object({ sourceId: Type.Optional(Type.String()), limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }), cursor: Type.Optional(Type.String()) }),
        response: { 200: PageOf(FailedView) },
      },
    },
    async (req) => {
      const page = await opts.failed.list(req.query);
      return { data: page.data.map((f) => ({ ...f, failedAt: new Date(f.failedAt).toISOString() })), next: page.next };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/sources/:id/live',
    {
      schema: { tags: ['events'], summary: 'Live tail of a source (Server-Sent Events, one `event` per message)', params: Type.Object({ id: Type.String() }) },
    },
    async (req, reply) => {
      const sourceId = req.params.id;
      // Before the stream opens: afterwards the status is 200 and the tail of a source that does
      // not exist would wait forever for an event.
      await opts.sources.get(sourceId);
      const mask = await opts.maskerOf(req);
      let last = await opts.log.headSeq();
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      reply.raw.write(': live tail of ' + sourceId + '\n\n');
      let pumping = false;
      let closed = false;
      // Tailing the log (rather than only listening in-process) also shows events taken by other
      // API processes when Meridian runs scaled out.
      const pump = async () => {
        if (pumping || closed) return;
        pumping = true;
        try {
          for (;;) {
            const events = await opts.log.readAfter(last, 500, sourceId);
            if (closed) return;
            for (const e of events) reply.raw.write(`id: ${e.seq}\nevent: message\ndata: ${JSON.stringify(mask(view(e)))}\n\n`);
            if (events.length > 0) last = events[events.length - 1].seq;
            if (events.length < 500) break;
          }
        } catch (err) {
          req.log.error({ err }, 'live tail failed');
        } finally {
          pumping = false;
        }
      };
      const unsubscribe = opts.log.onAppend((events) => {
        if (events.some((e) => e.sourceId === sourceId)) void pump();
      });
      const timer = setInterval(() => {
        reply.raw.write(': keep-alive\n\n');
        void pump();
      }, 1000);
      const stop = () => {
        closed = true;
        tails.delete(end);
        clearInterval(timer);
        unsubscribe();
      };
      // Shutdown ends the stream cleanly (an EventSource reconnects) and its connection with it.
      const end = () => {
        stop();
        reply.raw.end();
        reply.raw.socket?.end();
      };
      tails.add(end);
      req.raw.on('close', stop);
    },
  );
}
