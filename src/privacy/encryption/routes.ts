// Admin API of field encryption: the data keys and the KEK rotation (re-encryption runs in the background).
import type { FastifyInstance } from 'fastify';
import type { ApiKeyStore } from '../../auth/index.js';
import { AppError } from '../../shared/errors.js';
import { actionRoute } from '../../shared/action-route.js';
import type { FieldCipher } from '../../shared/encryption/field-cipher.js';
import type { Reencryptor } from '../../shared/encryption/reencrypt.js';
import { KeyStatus } from './schema.js';

export async function keyRoutes(app: FastifyInstance, opts: { cipher?: FieldCipher; reencryptor?: Reencryptor; keys: ApiKeyStore }) {
  const tags = ['privacy'];
  const configured = () => {
    if (!opts.cipher || !opts.reencryptor) throw new AppError('encryption_not_configured', 409, 'field encryption is off: set MERIDIAN_KEK or MERIDIAN_KEK_FILE and restart');
    return { cipher: opts.cipher, reencryptor: opts.reencryptor };
  };
  const status = async () => {
    const { cipher, reencryptor } = configured();
    return {
      kekId: cipher.kekId,
      activeKeyId: cipher.activeKeyId,
      keys: await cipher.list(),
      reencryption: { ...reencryptor.status, remaining: await reencryptor.remaining() },
    };
  };

  app.get('/v1/privacy/keys', { schema: { tags, summary: 'Field encryption keys and the progress of re-encryption', response: { 200: KeyStatus } } }, status);
  app.post(
    '/v1/privacy/keys/rotate',
    actionRoute({
      schema: {
        tags,
        summary: 'Rotate keys: rewrap every data key under the current KEK, start a new data key and re-encrypt every value under it in the background',
        response: { 202: KeyStatus },
      },
    }),
    async (_req, reply) => {
      const { cipher, reencryptor } = configured();
      if (reencryptor.running) throw new AppError('rotation_in_progress', 409, 'a rotation is still re-encrypting values', { remaining: await reencryptor.remaining() });
      await cipher.rotate();
      void reencryptor.start();
      return reply.code(202).send(await status());
    },
  );
}
