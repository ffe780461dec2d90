// The field-encryption key status the key routes answer with (the console reads its type too).
import { Type, type Static } from '@sinclair/typebox';

export const KeyStatus = Type.Object({
  kekId: Type.String({ description: 'fingerprint of the configured KEK (MERIDIAN_KEK)' }),
  activeKeyId: Type.String({ description: 'the data key new values are sealed with' }),
  keys: Type.Array(Type.Object({ id: Type.String(), kekId: Type.String(), active: Type.Boolean(), createdAt: Type.String({ format: 'date-time' }) })),
  reencryption: Type.Object({
    running: Type.Boolean(),
    reencrypted: Type.Integer({ description: 'values moved to the active key by the current or last pass' }),
    remaining: Type.Integer({ description: 'values still in clear or under an older data key' }),
    error: Type.Union([Type.String(), Type.Null()]),
  }),
});
export type KeyStatus = Static<typeof KeyStatus>;
