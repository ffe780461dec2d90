// HTTPS when a certificate is configured (MERIDIAN_TLS_CERT + MERIDIAN_TLS_KEY, PEM files read at
// start): the server then speaks TLS only, and every response carries HSTS.
import { readFileSync } from 'node:fs';
import type { Config } from '../config.js';

export const HSTS = 'max-age=31536000; includeSubDomains';

export function tlsOptions(config: Pick<Config, 'tlsCert' | 'tlsKey'>): { cert: Buffer; key: Buffer } | undefined {
  if (!config.tlsCert && !config.tlsKey) return undefined;
  if (!config.tlsCert || !config.tlsKey) throw new Error('set both MERIDIAN_TLS_CERT and MERIDIAN_TLS_KEY (PEM files) to serve HTTPS, or neither');
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new Error(`${what} ${file} cannot be read: ${(err as Error).message}`);
    }
  };
  return { cert: read(config.tlsCert, 'MERIDIAN_TLS_CERT'), key: read(config.tlsKey, 'MERIDIAN_TLS_KEY') };
}
