// Turns the raw request body into a JSON value, whatever Content-Type the SDK used (the browser SDK
// sends text/plain, the RudderStack Node SDK gzip with a form type). Rejects, with a precise code,
// everything that is not safe, finite, UTF-8 JSON of bounded size and depth.
import { gunzipSync, inflateSync } from 'node:zlib';
import { AppError } from '../shared/errors.js';

export interface BodyLimits {
  /** Largest decoded body accepted, in bytes. */
  maxBytes: number;
  /** Deepest object/array nesting accepted. */
  maxDepth: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeBody(raw: Buffer, contentEncoding: string | undefined, limits: BodyLimits): unknown {
  const bytes = decompress(raw, (contentEncoding ?? 'identity').trim().toLowerCase(), limits.maxBytes);
  if (bytes.length > limits.maxBytes)
    throw new AppError('payload_too_large', 413, `the body is ${bytes.length} bytes; the limit here is ${limits.maxBytes}`);
  if (bytes.length === 0 || bytes.every((b) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09))
    throw new AppError('empty_body', 400, 'the request body is empty');
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new AppError('invalid_encoding', 400, 'the body is not valid UTF-8');
  }
  let value: unknown;
  try {
    // JSON.parse defines "__proto__" as a plain own key (no prototype change); checkValue rejects it
    // with its path, in the same walk that bounds depth.
    value = JSON.parse(text);
  } catch (err) {
    throw new AppError('invalid_json', 400, `the body is not valid JSON: ${(err as Error).message}`);
  }
  checkValue(value, limits.maxDepth);
  return value;
}

function decompress(raw: Buffer, encoding: string, maxBytes: number): Buffer {
  // maxOutputLength stops a decompression bomb before it fills memory; a truncated stream throws.
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') return gunzipSync(raw, { maxOutputLength: maxBytes + 1 });
    if (encoding === 'deflate') return inflateSync(raw, { maxOutputLength: maxBytes + 1 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw new AppError('payload_too_large', 413, `the decompressed body exceeds ${maxBytes} bytes`);
    throw new AppError('invalid_compression', 400, `the body is not valid ${encoding} data: ${(err as Error).message}`);
  }
  if (encoding === 'identity' || encoding === '') return raw;
  throw new AppError('unsupported_encoding', 415, `Content-Encoding "${encoding}" is not supported; use gzip, deflate or none`);
}

/** Bounded-depth walk: rejects deep nesting, numbers JSON cannot carry exactly, and keys that would
 * reach an object's prototype if a later stage merged the value naively. The walk touches every value
 * of every request, so it keeps the path as a stack and spells it out only for an error. */
function checkValue(value: unknown, maxDepth: number, path: (string | number)[] = []): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new AppError('invalid_number', 400, `${at(path)}: number is out of range`, { field: fieldOf(path) });
    if (Number.isInteger(value) && !Number.isSafeInteger(value))
      throw new AppError(
        'unsafe_number',
        400,
        `${at(path)}: integer ${value} is beyond 2^53 and would lose precision; send it as a string`,
        { field: fieldOf(path) },
      );
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (path.length >= maxDepth)
    throw new AppError('too_deep', 400, `${at(path)}: nesting deeper than ${maxDepth} levels`, { field: fieldOf(path) });
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      checkValue(value[i], maxDepth, path);
      path.pop();
    }
  } else {
    for (const k in value) {
      if (!Object.hasOwn(value, k)) continue;
      const v = (value as Record<string, unknown>)[k];
      path.push(k);
      if (k === '__proto__' || (k === 'constructor' && typeof v === 'object' && v !== null && Object.hasOwn(v, 'prototype')))
        throw new AppError('forbidden_key', 400, `${fieldOf(path)}: keys "__proto__" and "constructor.prototype" are not allowed`, { field: fieldOf(path) });
      checkValue(v, maxDepth, path);
      path.pop();
    }
  }
}

/** `batch[3].properties.total` from ['batch', 3, 'properties', 'total']. */
function fieldOf(path: (string | number)[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

const at = (path: (string | number)[]) => fieldOf(path) || 'body';
