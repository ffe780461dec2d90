// Which paths browsers call to collect (the tracking calls, personalisation decisions and what the SDK
// snippets load), and the preflight policy for them: a preflight carries no credentials, only the write
// key in some URLs.
import type { CollectionCors } from '../http/index.js';
import type { Ingestor } from './service.js';

const COLLECTION = /^\/(?:v1\/(?:track|identify|page|screen|group|alias|batch|decide|[tipsgab])(?:\?|$)|beacon\/v1\/batch|v1\/projects\/|sourceConfig|analytics\.js\/|analytics-next\/|v3\/(?:modern|legacy)\/)/;
const PROJECT_KEY = /^\/v1\/projects\/([^/?]+)\//;

function writeKeyInUrl(url: string): string | undefined {
  const project = PROJECT_KEY.exec(url);
  if (project) return decodeURIComponent(project[1]);
  const q = url.indexOf('?');
  if (url.startsWith('/sourceConfig') && q >= 0) return new URLSearchParams(url.slice(q + 1)).get('writeKey') ?? undefined;
  return undefined;
}

export function collectionCors(ingestor: Ingestor): CollectionCors {
  return {
    isCollectionPath: (url) => COLLECTION.test(url),
    preflightAdmits: (origin, url) => ingestor.preflightAdmits(origin, writeKeyInUrl(url)),
  };
}
