// PostgreSQL cannot store the NUL character (U+0000) in TEXT or JSONB; SQLite can. Meridian refuses
// it at the edge (request URLs, JSON bodies, every ingested event) so that a request means the same
// on both stores, and one event cannot fail the group commit it shares with others.

/** JSON text holds NUL only as the escape `\u0000` (raw control characters are not valid JSON); one
 * preceded by an odd number of backslashes is a literal backslash followed by "u0000". */
const NUL_ESCAPE = /(?<!\\)(?:\\\\)*\\u0000/;

export const jsonHasNul = (json: string) => json.includes('\\u0000') && NUL_ESCAPE.test(json);
