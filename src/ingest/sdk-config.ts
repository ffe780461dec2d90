// The configuration documents the SaaS browser snippets load before they send anything, built so
// that they send here: Segment's CDN settings (analytics.js) and RudderStack's source config (v3 SDK).

/** Where pages reach this server: "https://cdp.example" or "https://shop.example/cdp". */
export type PublicBase = string;

/**
 * Segment's `/v1/projects/{writeKey}/settings`. analytics.js sends to `${protocol}://${apiHost}/{t,i,p,…}`
 * of the Segment.io integration; remote metrics (sampleRate 0) and device-mode destinations are off.
 */
export function segmentSettings(writeKey: string, base: PublicBase) {
  const url = new URL(base);
  const apiHost = `${url.host}${url.pathname.replace(/\/$/, '')}/v1`;
  const protocol = url.protocol.slice(0, -1);
  return {
    integrations: {
      'Segment.io': { apiKey: writeKey, apiHost, protocol, unbundledIntegrations: [], addBundledMetadata: true, maybeBundledConfigIds: {} },
    },
    plan: { track: { __default: { enabled: true, integrations: {} } }, identify: { __default: { enabled: true } }, group: { __default: { enabled: true } } },
    edgeFunction: {},
    analyticsNextEnabled: true,
    middlewareSettings: {},
    enabledMiddleware: {},
    metrics: { sampleRate: 0, host: apiHost },
    legacyVideoPluginsEnabled: false,
    remotePlugins: [],
  };
}

/**
 * RudderStack's `/sourceConfig` answer: the source with no device-mode destinations (events go to
 * the data plane only) and the SDK's own error and metrics reporting off (it would post to RudderStack).
 */
export function rudderSourceConfig(source: { id: string; name: string; enabled: boolean }, writeKey: string) {
  return {
    isHosted: false,
    source: {
      id: source.id,
      name: source.name,
      writeKey,
      enabled: source.enabled,
      workspaceId: 'meridian',
      config: { statsCollection: { errors: { enabled: false }, metrics: { enabled: false } } },
      destinations: [],
    },
  };
}
