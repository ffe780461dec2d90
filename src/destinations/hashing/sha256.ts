// The one hash every ad platform asks for: SHA-256 of the UTF-8 normalised value, lowercase hex.
import { createHash } from 'node:crypto';

export const sha256Hex = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');
