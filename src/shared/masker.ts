// The shape of PII masking as its consumers see it (the event log's read routes, exports, the live
// debugger). Privacy builds maskers; these types live here so readers need not import privacy.
import type { FastifyRequest } from 'fastify';

/** Returns a copy of profile data with personal fields masked for one access level (identity for `full`). */
export type Masker = (data: unknown) => unknown;

/** The masker for the caller of a request; streaming routes (exports, the live debugger) take one. */
export type RequestMasker = (req: FastifyRequest) => Promise<Masker>;
