// The key-encryption key from MERIDIAN_KEK or MERIDIAN_KEK_FILE (32 bytes, hex or base64), and during
// a rotation the previous one (MERIDIAN_KEK_PREVIOUS). No KEK: field encryption is off.
import { readFileSync } from 'node:fs';
import type { Config } from '../../config.js';
import { decodeKey } from '../../shared/secret-box.js';
import { kekIdOf } from './envelope.js';

export interface Kek {
  id: string;
  key: Buffer;
}

export interface Keks {
  current: Kek;
  previous?: Kek;
}

export function loadKeks(config: Pick<Config, 'kek' | 'kekFile' | 'previousKek'>): Keks | undefined {
  if (config.kek && config.kekFile) throw new Error('set MERIDIAN_KEK or MERIDIAN_KEK_FILE, not both');
  let text = config.kek;
  if (config.kekFile) {
    try {
      text = readFileSync(config.kekFile, 'utf8');
    } catch (err) {
      throw new Error(`MERIDIAN_KEK_FILE ${config.kekFile} cannot be read: ${(err as Error).message}`);
    }
  }
  if (!text) {
    if (config.previousKek) throw new Error('MERIDIAN_KEK_PREVIOUS is set without MERIDIAN_KEK: set the new key too');
    return undefined;
  }
  const current = kekFrom(text, 'MERIDIAN_KEK');
  const previous = config.previousKek ? kekFrom(config.previousKek, 'MERIDIAN_KEK_PREVIOUS') : undefined;
  return { current, previous };
}

function kekFrom(text: string, what: string): Kek {
  const key = decodeKey(text, what);
  return { id: kekIdOf(key), key };
}
