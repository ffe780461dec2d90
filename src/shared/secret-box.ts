// Encryption at rest for secrets Meridian must read back in clear (webhook signing secrets, database
// connection URLs, broker passwords) — unlike API and write keys, which are only ever hashed.
// AES-256-GCM: a fresh 96-bit nonce per value, and the tag authenticates the ciphertext.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from './errors.js';

const VERSION = 'v1';

export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the secret key must be 32 bytes (AES-256)');
  }

  seal(plain: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, nonce.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  /**
   * A value derived from the key that reveals nothing of it (an HMAC of a fixed label): stored once in
   * the database, it tells a process started with another key apart before it reads any secret.
   */
  checkValue(): string {
    return 'v1.' + createHmac('sha256', this.key).update('meridian secret key check').digest('base64url');
  }

  /** A key for one purpose (e.g. keyed hashes of identifiers), derived from this one: HMAC(key, label). */
  derive(label: string): Buffer {
    return createHmac('sha256', this.key).update(`meridian derived key: ${label}`).digest();
  }

  open(sealed: string): string {
    const [version, nonce, body, tag] = sealed.split('.');
    if (version !== VERSION || !nonce || body === undefined || !tag)
      throw new AppError('secret_unreadable', 500, 'a stored secret has an unknown format');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(nonce, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new AppError('secret_unreadable', 500, 'a stored secret cannot be decrypted: was MERIDIAN_SECRET_KEY changed?');
    }
  }
}

export const GENERATE_KEY_HINT = 'generate one with `openssl rand -hex 32` (or `node -e "console.log(require(\'crypto\').randomBytes(32).toString(\'hex\'))"`)';

export interface KeySettings {
  /** The key itself: 32 bytes as 64 hex digits or base64. */
  secretKey?: string;
  /** A file holding the key (a mounted secret): read at start. */
  secretKeyFile?: string;
  dataDir: string;
  /** Set for PostgreSQL: every process of the installation must then be given the same key. */
  databaseUrl?: string;
}

/**
 * The box for this installation: MERIDIAN_SECRET_KEY or MERIDIAN_SECRET_KEY_FILE. On the embedded
 * store, without either, a random key generated once into `<dataDir>/secret.key` (mode 0600). On
 * PostgreSQL one of them is required: the store is shared by processes that each have their own data
 * directory, and a key generated into each would make every secret one process writes unreadable to
 * the others.
 */
export function secretBoxFor(o: KeySettings): SecretBox {
  if (o.secretKey && o.secretKeyFile) throw new Error('set MERIDIAN_SECRET_KEY or MERIDIAN_SECRET_KEY_FILE, not both');
  if (o.secretKey) return new SecretBox(decodeKey(o.secretKey, 'MERIDIAN_SECRET_KEY'));
  if (o.secretKeyFile) {
    let text: string;
    try {
      text = readFileSync(o.secretKeyFile, 'utf8');
    } catch (err) {
      throw new Error(`MERIDIAN_SECRET_KEY_FILE ${o.secretKeyFile} cannot be read: ${(err as Error).message}`);
    }
    return new SecretBox(decodeKey(text, `the key in ${o.secretKeyFile}`));
  }
  if (o.databaseUrl)
    throw new Error(
      'MERIDIAN_SECRET_KEY (or MERIDIAN_SECRET_KEY_FILE) is required with a PostgreSQL store: every process sharing the database ' +
        'must seal and open connector secrets with the same key, and a key generated into each data directory would make the ' +
        `secrets of one process unreadable to the others. ${GENERATE_KEY_HINT}, give the same key to every process, and back it up (docs/operations.md#secret-key).`,
    );
  const file = join(o.dataDir, 'secret.key');
  if (!existsSync(file)) {
    mkdirSync(o.dataDir, { recursive: true });
    try {
      writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // Another process created it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return new SecretBox(decodeKey(readFileSync(file, 'utf8'), file));
}

/** A 32-byte key written as 64 hex digits or base64 (the secret key, the KEK of field encryption). */
export function decodeKey(text: string, what: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== 32) throw new Error(`${what} must be 32 bytes, as 64 hex digits or base64: ${GENERATE_KEY_HINT}`);
  return key;
}
