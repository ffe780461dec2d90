// Boundary shapes of webhook sources.
import { Type, type Static } from '@sinclair/typebox';
import { VENDOR_NAMES } from './vendors.js';

export const WebhookVendor = Type.Union(VENDOR_NAMES.map((v) => Type.Literal(v)));

export const PutWebhookBody = Type.Object(
  {
    vendor: WebhookVendor,
    secret: Type.Optional(
      Type.String({
        minLength: 8,
        maxLength: 512,
        description: "the signing secret the vendor uses (Shopify app secret, Zendesk webhook secret, SurveyMonkey API secret…); omitted: keep the stored one, or generate one on first set-up",
      }),
    ),
  },
  { additionalProperties: false },
);
export type PutWebhookBody = Static<typeof PutWebhookBody>;

export const WebhookSource = Type.Object({
  sourceId: Type.String(),
  vendor: Type.String(),
  url: Type.String({ description: 'path to give the vendor, relative to the server address' }),
  secret: Type.Optional(Type.String({ description: 'only when Meridian generated it: shown once' })),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type WebhookSource = Static<typeof WebhookSource>;

export const WebhookResponse = Type.Object({
  success: Type.Literal(true),
  accepted: Type.Integer({ description: 'events newly written to the log' }),
  duplicates: Type.Integer({ description: 'deliveries already received (vendor retries)' }),
  rejected: Type.Integer({ description: 'mapped events that failed validation; kept in failed events' }),
  ignored: Type.Boolean({ description: 'true for deliveries of kinds this vendor transformation does not map' }),
});

export interface WebhookConfig {
  vendor: Static<typeof WebhookVendor>;
}
