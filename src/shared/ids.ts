// Random identifiers and secrets, and how secrets are stored (hashes only).
import { createHash, randomBytes } from 'node:crypto';

/** A short, URL-safe, prefixed random id such as `src_3kq9…`. */
export const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('base64url')}`;

/** A secret with 256 bits of entropy; it is shown once and stored only as `hashSecret(secret)`. */
export const newSecret = (prefix: string) => `${prefix}_${randomBytes(32).toString('base64url')}`;

/** Secrets are long random strings, so a fast hash is enough (no dictionary to attack). */
export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** What we show of a secret after creation, to help people tell keys apart. */
export const secretPrefix = (secret: string) => secret.slice(0, 10);
