// The one list format of the API: `{ data, next }`, `next` being an opaque cursor or null.
import { Type, type TSchema } from '@sinclair/typebox';
import { AppError } from './errors.js';

export const PageOf = <T extends TSchema>(item: T) =>
  Type.Object({ data: Type.Array(item), next: Type.Union([Type.String(), Type.Null()]) });

export interface Page<T> {
  data: T[];
  next: string | null;
}

export const encodeCursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function decodeCursor<T>(cursor: string | undefined, isValid: (v: unknown) => v is T): T | undefined {
  if (cursor === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (isValid(value)) return value;
  } catch {
    // fall through to the error below
  }
  throw new AppError('invalid_cursor', 400, 'cursor is not one this API returned');
}
