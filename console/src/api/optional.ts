// A resource that may not exist yet (a source without a tracking plan, transformation, webhook): null on 404.
import { ApiError } from './client';

export async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}
