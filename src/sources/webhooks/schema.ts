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
    api: Type.Optional(
      Type.Union([
        Type.Object(
          {
            accessToken: Type.String({ minLength: 8, maxLength: 4096, description: "the vendor's API access token (SurveyMonkey: the app's access token with View Responses Details and View Surveys scopes)" }),
            baseUrl: Type.Optional(Type.String({ pattern: '^https?://', description: "the API's base URL; default the vendor's (https://api.surveymonkey.com)" })),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ], { description: 'for vendors whose deliveries carry ids only (surveymonkey): fetch the data from their API; null removes it, omitted keeps it' }),
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
  api: Type.Optional(Type.Object({ baseUrl: Type.String(), hasAccessToken: Type.Boolean() }, { description: "the vendor API set-up (the token is never returned)" })),
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
  queued: Type.Optional(Type.Boolean({ description: "true when the vendor's API could not be read yet: the delivery is stored and retried" })),
});

export interface WebhookConfig {
  vendor: Static<typeof WebhookVendor>;
}
