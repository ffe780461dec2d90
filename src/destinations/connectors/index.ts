// The connector registry: one entry per platform.
import { fcm } from './fcm.js';
import { googleAds } from './google-ads.js';
import { line } from './line.js';
import { meta } from './meta.js';
import { smtp } from './smtp.js';
import type { Connector } from './types.js';
import { webhook } from './webhook.js';

export const CONNECTORS: Record<string, Connector> = Object.fromEntries([webhook, meta, googleAds, line, smtp, fcm].map((c) => [c.name, c]));
export type { Connector, ConnectorContext, OutboundBatch, AttemptResult, EventItem } from './types.js';
