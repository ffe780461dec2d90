// Action routes (POST …/rebuild, …/recompute, …/pause, …/run) take no input. They accept no body or
// `{}` and refuse anything else with 400 invalid_field, so a client that sends options it believes
// are honoured learns that they are not, and a stray body never runs an action by accident.
import { Type } from '@sinclair/typebox';
import type { FastifyRequest, FastifySchema } from 'fastify';

const NoBody = Type.Object({}, { additionalProperties: false, description: 'no body, or {}' });

/** Fastify validates an absent body as `null`; for an action no body means no options, as `{}` does. */
async function absentBodyIsEmpty(req: FastifyRequest) {
  if (req.body === undefined) req.body = {};
}

/** The options of an action route, with the empty body declared (it shows in the OpenAPI document). */
export function actionRoute<T extends { schema?: FastifySchema }>(options: T) {
  return { ...options, preValidation: absentBodyIsEmpty, schema: { ...options.schema, body: NoBody } };
}
