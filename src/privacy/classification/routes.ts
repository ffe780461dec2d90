// Admin API of the classification: which traits, properties and identifier types are personal data.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { ApiKeyStore } from '../../auth/index.js';
import { AppError } from '../../shared/errors.js';
import { PageOf } from '../../shared/paging.js';
import { DEFAULT_CLASSIFICATION, normalField, PII_KINDS } from './kinds.js';
import type { FieldSetting } from './classifier.js';
import type { ClassificationStore } from './store.js';

const SETTINGS = [...PII_KINDS, 'none'] as const;
const Entry = Type.Object({
  field: Type.String({ description: 'normal form: lower case without `_`, `-` or spaces (`firstName` → `firstname`)' }),
  kind: Type.String({ description: 'email | phone | name | address | pii' }),
  origin: Type.Union([Type.Literal('default'), Type.Literal('api')]),
});
const FieldParams = Type.Object({ field: Type.String({ minLength: 1, maxLength: 128 }) });
const SetBody = Type.Object({ kind: Type.String({ description: 'email | phone | name | address | pii, or none to declassify a default' }) }, { additionalProperties: false });

export async function classificationRoutes(app: FastifyInstance, opts: { store: ClassificationStore; keys: ApiKeyStore }) {
  const tags = ['privacy'];

  app.get(
    '/v1/privacy/classification',
    { schema: { tags, summary: 'The fields classified as personal data and their kind', response: { 200: PageOf(Entry) } } },
    async () => {
      const set = await opts.store.settings();
      const data = (await opts.store.classifier()).entries().map(([field, kind]) => ({ field, kind, origin: field in set ? ('api' as const) : ('default' as const) }));
      return { data, next: null };
    },
  );
  app.put<{ Params: Static<typeof FieldParams>; Body: Static<typeof SetBody> }>(
    '/v1/privacy/classification/:field',
    {
      schema: { tags, summary: 'Classify a trait, property or identifier type (or declassify it with kind none)', params: FieldParams, body: SetBody, response: { 200: Entry } },
    },
    async (req) => {
      const { field } = req.params;
      const { kind } = req.body;
      if (!(SETTINGS as readonly string[]).includes(kind))
        throw new AppError('invalid_classification', 400, `kind must be one of ${SETTINGS.join(', ')}`, { field: 'kind', known: [...SETTINGS] });
      if (normalField(field) === '') throw new AppError('invalid_classification', 400, 'the field name has no letters or digits', { field: 'field' });
      await opts.store.set(field, kind as FieldSetting);
      return { field: normalField(field), kind, origin: 'api' as const };
    },
  );
  app.delete<{ Params: Static<typeof FieldParams> }>(
    '/v1/privacy/classification/:field',
    { schema: { tags, summary: 'Return a field to its default classification', params: FieldParams } },
    async (req, reply) => {
      if (!(await opts.store.reset(req.params.field)))
        throw new AppError('classification_not_found', 404, `no classification was set for ${JSON.stringify(req.params.field)}`, {
          default: DEFAULT_CLASSIFICATION[normalField(req.params.field)] ?? null,
        });
      return reply.code(204).send();
    },
  );
}
