// An API error in the user's language: known codes have a message of their own in the catalogues
// (errors.<code>), any other code shows the server's message (English, but precise).
import type { TFunction } from 'i18next';
import { ApiError } from './client';

export function errorText(err: unknown, t: TFunction): string {
  if (err instanceof ApiError) {
    const key = `errors.${err.code}`;
    const translated = t(key, { defaultValue: '', message: err.message, ...(err.details ?? {}) });
    return translated || t('errors.fallback', { message: err.message });
  }
  return t('errors.fallback', { message: err instanceof Error ? err.message : String(err) });
}
