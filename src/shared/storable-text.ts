// JavaScript strings can hold two kinds of character PostgreSQL cannot store: NUL (U+0000, in TEXT
// and JSONB) and unpaired UTF-16 surrogates (in JSONB). SQLite stores both. Meridian refuses them at
// the edge (request URLs, JSON bodies, every ingested event) so that a request means the same on
// both stores, and one event cannot fail the group commit it shares with others. What is kept of
// refused input (failed events) keeps its text, with U+FFFD in their place.
import { AppError } from './errors.js';

/** In JSON written by JSON.stringify, NUL and unpaired surrogates are always escapes (paired ones are
 * written as characters); an escape preceded by an odd number of backslashes is literal text. */
const UNSTORABLE = /(?<!\\)((?:\\\\)*)\\u(?:0000|d[89a-f][0-9a-f]{2})/g;

/** Whether JSON written by JSON.stringify holds a character PostgreSQL cannot store. */
export const hasUnstorable = (json: string) => json.includes('\\u') && json.search(UNSTORABLE) !== -1;

/** JSON written by JSON.stringify, with U+FFFD for every character PostgreSQL cannot store. */
export const storableJson = (json: string) => (json.includes('\\u') ? json.replace(UNSTORABLE, '$1\\ufffd') : json);

/** Text for a TEXT column, with U+FFFD for NUL (unpaired surrogates become U+FFFD on encoding anyway). */
export const storableText = (text: string) => text.replaceAll('\u0000', '\uFFFD');

/** Whether text (a CSV body, say) holds NUL; an unpaired surrogate cannot come out of decoded bytes. */
export const hasNul = (text: string) => text.includes('\u0000');

export const unstorableError = (where: string) =>
  new AppError('invalid_character', 400, `${where} holds a character Meridian does not store: NUL (U+0000) or an unpaired UTF-16 surrogate`);
