// Item-to-item recommendations: cosine similarity between items over the profiles that bought or
// viewed them (a view weighs less than a purchase), the k nearest kept per item; a profile gets the
// items most similar to what it already has, topped up with the most popular items (new customers get
// popularity alone). Evaluated offline by hit rate@k on a time split against popularity alone.

export interface Interaction {
  profileId: string;
  item: string;
  ts: number;
  kind: 'purchase' | 'view';
}

export interface Neighbour {
  item: string;
  other: string;
  score: number;
}

export interface ItemModel {
  neighbours: Map<string, { other: string; score: number }[]>;
  /** Items by number of purchasers, most first. */
  popular: { item: string; purchasers: number }[];
}

export const VIEW_WEIGHT = 0.3;

/** Profile → item → weight (max of its interactions: a purchase 1, a view VIEW_WEIGHT). */
function weights(interactions: Iterable<Interaction>) {
  const byProfile = new Map<string, Map<string, number>>();
  for (const i of interactions) {
    let items = byProfile.get(i.profileId);
    if (!items) byProfile.set(i.profileId, (items = new Map()));
    items.set(i.item, Math.max(items.get(i.item) ?? 0, i.kind === 'purchase' ? 1 : VIEW_WEIGHT));
  }
  return byProfile;
}

export function buildItemModel(interactions: Iterable<Interaction>, k = 20, maxItemsPerProfile = 200): ItemModel {
  const byProfile = weights(interactions);
  const norm = new Map<string, number>();
  const purchasers = new Map<string, number>();
  const co = new Map<string, Map<string, number>>();
  for (const items of byProfile.values()) {
    // Keep the strongest interactions of very active profiles: pairs grow with the square.
    const list = [...items].sort((a, b) => b[1] - a[1]).slice(0, maxItemsPerProfile);
    for (const [item, w] of list) {
      norm.set(item, (norm.get(item) ?? 0) + w * w);
      if (w === 1) purchasers.set(item, (purchasers.get(item) ?? 0) + 1);
    }
    for (let i = 0; i < list.length; i++)
      for (let j = 0; j < list.length; j++) {
        if (i === j) continue;
        let row = co.get(list[i][0]);
        if (!row) co.set(list[i][0], (row = new Map()));
        row.set(list[j][0], (row.get(list[j][0]) ?? 0) + list[i][1] * list[j][1]);
      }
  }
  const neighbours = new Map<string, { other: string; score: number }[]>();
  for (const [item, row] of co) {
    const scored = [...row].map(([other, dot]) => ({ other, score: dot / Math.sqrt(norm.get(item)! * norm.get(other)!) }));
    scored.sort((a, b) => b.score - a.score || (a.other < b.other ? -1 : 1));
    neighbours.set(item, scored.slice(0, k));
  }
  const popular = [...purchasers].map(([item, n]) => ({ item, purchasers: n })).sort((a, b) => b.purchasers - a.purchasers || (a.item < b.item ? -1 : 1));
  return { neighbours, popular };
}

export interface Recommendation {
  item: string;
  score: number;
  reason: 'similar' | 'popular';
}

/** The n best items for a profile that has `owned` (weights as above), none of which it has. */
export function recommend(model: Pick<ItemModel, 'popular'> & { neighboursOf(item: string): { other: string; score: number }[] }, owned: ReadonlyMap<string, number>, n: number): Recommendation[] {
  const scores = new Map<string, number>();
  for (const [item, w] of owned)
    for (const nb of model.neighboursOf(item)) if (!owned.has(nb.other)) scores.set(nb.other, (scores.get(nb.other) ?? 0) + w * nb.score);
  const out: Recommendation[] = [...scores]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n)
    .map(([item, score]) => ({ item, score, reason: 'similar' }));
  const have = new Set(out.map((r) => r.item));
  for (const p of model.popular) {
    if (out.length >= n) break;
    if (owned.has(p.item) || have.has(p.item)) continue;
    out.push({ item: p.item, score: 0, reason: 'popular' });
  }
  return out;
}

/** What one profile has, weighted as the model weighs it. */
export function ownedItems(interactions: Iterable<Interaction>): Map<string, number> {
  const items = new Map<string, number>();
  for (const i of interactions) items.set(i.item, Math.max(items.get(i.item) ?? 0, i.kind === 'purchase' ? 1 : VIEW_WEIGHT));
  return items;
}

export interface HitRate {
  /** Profiles that bought something new in the test period. */
  profiles: number;
  hitRate: number;
  popularityHitRate: number;
  k: number;
}

/** Trains on interactions up to `cutoff`; a hit is a top-k item the profile then buys after it. */
export function evaluateHitRate(interactions: readonly Interaction[], cutoff: number, k = 10): HitRate {
  const train = interactions.filter((i) => i.ts <= cutoff);
  const model = buildItemModel(train);
  const lookup = { popular: model.popular, neighboursOf: (item: string) => model.neighbours.get(item) ?? [] };
  const popularOnly = { popular: model.popular, neighboursOf: () => [] };
  const history = weights(train);
  const future = new Map<string, Set<string>>();
  for (const i of interactions) {
    if (i.ts <= cutoff || i.kind !== 'purchase' || history.get(i.profileId)?.has(i.item)) continue;
    let s = future.get(i.profileId);
    if (!s) future.set(i.profileId, (s = new Set()));
    s.add(i.item);
  }
  let hits = 0;
  let popularHits = 0;
  for (const [profileId, bought] of future) {
    const owned = history.get(profileId) ?? new Map<string, number>();
    if (recommend(lookup, owned, k).some((r) => bought.has(r.item))) hits++;
    if (recommend(popularOnly, owned, k).some((r) => bought.has(r.item))) popularHits++;
  }
  const n = future.size;
  return { profiles: n, hitRate: n ? hits / n : 0, popularityHitRate: n ? popularHits / n : 0, k };
}
