// Install snippets for a source: this server's address and the source's write key, filled in.
export type SnippetKind = 'segmentWeb' | 'rudderWeb' | 'node' | 'ios' | 'android' | 'curl';
export const SNIPPET_KINDS: SnippetKind[] = ['segmentWeb', 'rudderWeb', 'node', 'ios', 'android', 'curl'];

export function snippet(kind: SnippetKind, host: string, writeKey: string): string {
  const https = host.startsWith('https:');
  const bare = host.replace(/^https?:\/\//, '');
  switch (kind) {
    case 'segmentWeb':
      return `// npm install @segment/analytics-next
import { AnalyticsBrowser } from '@segment/analytics-next';

export const analytics = AnalyticsBrowser.load(
  {
    writeKey: '${writeKey}',
    // Settings come with the page instead of Segment's CDN: events go to Meridian only.
    cdnSettings: { integrations: { 'Segment.io': { apiKey: '${writeKey}', apiHost: '${bare}/v1', protocol: '${https ? 'https' : 'http'}' } } },
  },
  { integrations: { 'Segment.io': { apiHost: '${bare}/v1', protocol: '${https ? 'https' : 'http'}' } } },
);

analytics.identify('user-123', { email: 'ana@example.com' });
analytics.track('Order Completed', { total: 120, currency: 'USD' });`;
    case 'rudderWeb':
      return `// npm install @rudderstack/analytics-js
import { RudderAnalytics } from '@rudderstack/analytics-js';

const analytics = new RudderAnalytics();
analytics.load('${writeKey}', '${host}');

analytics.identify('user-123', { email: 'ana@example.com' });
analytics.track('Order Completed', { total: 120, currency: 'USD' });`;
    case 'node':
      return `// npm install @segment/analytics-node
import { Analytics } from '@segment/analytics-node';

const analytics = new Analytics({ writeKey: '${writeKey}', host: '${host}' });

analytics.identify({ userId: 'user-123', traits: { email: 'ana@example.com' } });
analytics.track({ userId: 'user-123', event: 'Order Completed', properties: { total: 120 } });
await analytics.closeAndFlush(); // before the process exits`;
    case 'ios':
      return `// Swift Package: https://github.com/segmentio/analytics-swift
import Segment

let analytics = Analytics(configuration: Configuration(writeKey: "${writeKey}")
    .apiHost("${bare}/v1")
    .trackApplicationLifecycleEvents(true))

analytics.track(name: "Order Completed", properties: ["total": 120])`;
    case 'android':
      return `// Gradle: implementation("com.segment.analytics.kotlin:android:1.+")
import com.segment.analytics.kotlin.android.Analytics

val analytics = Analytics("${writeKey}", applicationContext) {
    apiHost = "${bare}/v1"
    trackApplicationLifecycleEvents = true
}

analytics.track("Order Completed", buildJsonObject { put("total", 120) })`;
    case 'curl':
      return `curl -u '${writeKey}:' ${host}/v1/track \\
  -H 'content-type: application/json' \\
  -d '{"userId":"user-123","event":"Order Completed","properties":{"total":120}}'`;
  }
}
