// Envelope encryption, pure: values are sealed with AES-256-GCM under a data key; data keys are
// wrapped (sealed) under the key-encryption key (KEK). A sealed value names its data key, so keys
// rotate without touching values until they are re-encrypted, and the KEK rotates by rewrapping
// the few data keys only. The key id is authenticated data: a value cannot be moved to another key.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const PREFIX = 'enc1';

export interface DataKey {
  id: string;
  key: Buffer;
}

function gcmSeal(key: Buffer, aad: string, plain: Buffer): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return [nonce, body, cipher.getAuthTag()].map((b) => b.toString('base64url')).join('.');
}

function gcmOpen(key: Buffer, aad: string, sealed: string): Buffer {
  const [nonce, body, tag] = sealed.split('.');
  if (!nonce || body === undefined || !tag) throw new Error('not a sealed value');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
}

/** `enc1.<key id>.<nonce>.<ciphertext>.<tag>` */
export function seal(dataKey: DataKey, plain: string): string {
  return `${PREFIX}.${dataKey.id}.${gcmSeal(dataKey.key, dataKey.id, Buffer.from(plain, 'utf8'))}`;
}

/** The data key id a sealed value names (undefined when it is not one). */
export function keyIdOf(sealed: string): string | undefined {
  const parts = sealed.split('.');
  return parts.length === 5 && parts[0] === PREFIX ? parts[1] : undefined;
}

export function open(dataKey: DataKey, sealed: string): string {
  const rest = sealed.slice(PREFIX.length + dataKey.id.length + 2);
  return gcmOpen(dataKey.key, dataKey.id, rest).toString('utf8');
}

export const wrapKey = (kek: Buffer, dataKey: DataKey) => gcmSeal(kek, `dek:${dataKey.id}`, dataKey.key);
export const unwrapKey = (kek: Buffer, id: string, wrapped: string): DataKey => ({ id, key: gcmOpen(kek, `dek:${id}`, wrapped) });
export const newDataKey = (id: string): DataKey => ({ id, key: randomBytes(32) });

/** A short public fingerprint of a KEK: which KEK wrapped a data key, without revealing it. */
export const kekIdOf = (kek: Buffer) => createHash('sha256').update('meridian kek id').update(kek).digest('hex').slice(0, 16);
