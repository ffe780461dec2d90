// Encryption at rest for secrets Meridian must read back in clear (webhook signing secrets, database
// connection URLs, broker passwords) — unlike API and write keys, which are only ever hashed.
// AES-256-GCM: a fresh 96-bit nonce per value, and the tag authenticates the ciphertext.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
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

/**
 * The box for this installation: MERIDIAN_SECRET_KEY (32 bytes as 64 hex digits or base64; required
 * when several processes share a PostgreSQL store), otherwise a random key generated once into
 * `<dataDir>/secret.key` (mode 0600) — the same key and file the destinations capability reads.
 */
export function secretBoxFor(opts: { secretKey?: string; dataDir: string }): SecretBox {
  if (opts.secretKey) return new SecretBox(decodeKey(opts.secretKey));
  const file = join(opts.dataDir, 'secret.key');
  if (!existsSync(file)) {
    mkdirSync(opts.dataDir, { recursive: true });
    try {
      writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // Another process created it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return new SecretBox(decodeKey(readFileSync(file, 'utf8')));
}

function decodeKey(text: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== 32) throw new Error('MERIDIAN_SECRET_KEY must be 32 bytes, as 64 hex digits or base64');
  return key;
}
