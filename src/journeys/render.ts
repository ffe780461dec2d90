// Message rendering (pure apart from Liquid): a send step's templates over the profile's traits, the
// triggering event and the journey's context (cart products, coupon code). Rendered once, when the
// step runs, and stored in the outbox, so every retry sends the same message. A running journey's
// templates are parsed once per (journey, version, step) — versions never change — and kept in a
// bounded cache; parsing was a third of the render and a tenth of a timer tick's CPU.
import { Liquid, type Template } from 'liquidjs';
import type { Message } from './schema.js';

const liquid = new Liquid();

export interface RenderScope {
  profile: Record<string, unknown>;
  event: Record<string, unknown> | null;
  journey: { id: string; name: string; version: number; [k: string]: unknown };
}

export function scopeVars(s: RenderScope): Record<string, unknown> {
  const ctx = s.journey;
  return {
    profile: s.profile,
    traits: s.profile,
    event: s.event ?? {},
    properties: (s.event?.properties as Record<string, unknown> | undefined) ?? {},
    journey: ctx,
    cart: ctx.cart ?? [],
    products: ctx.cart ?? [],
    coupon: ctx.coupon ?? '',
  };
}

/** A message's fields (data fields as `data.<key>`), each parsed, or kept as text when it has no Liquid markup. */
type Prepared = { message: Message | undefined; fields: [name: string, template: Template[] | string][] };

export function prepareMessage(message: Message | undefined): Prepared {
  const parse = (text: string) => (text.includes('{{') || text.includes('{%') ? liquid.parse(text) : text);
  const fields: Prepared['fields'] = [];
  for (const [k, v] of Object.entries(message ?? {})) {
    if (typeof v === 'string') fields.push([k, parse(v)]);
    else for (const [dk, dv] of Object.entries(v)) fields.push([`data.${dk}`, parse(dv)]);
  }
  return { message, fields };
}

/** Parsed messages of running journeys' send steps; the oldest entry goes when the cache is full. */
export const PREPARED_LIMIT = 1000;
const prepared = new Map<string, Prepared>();

/**
 * The step's message parsed, from the cache under (journey, version, step). A draft's single version
 * can still be edited in place: the store then hands out a new definition object, so an entry made
 * from another message object is parsed again.
 */
export function preparedFor(key: { journeyId: string; version: number; stepId: string }, message: Message | undefined): Prepared {
  const k = `${key.journeyId}\n${key.version}\n${key.stepId}`;
  const hit = prepared.get(k);
  if (hit && hit.message === message) return hit;
  const p = prepareMessage(message);
  prepared.delete(k);
  if (prepared.size >= PREPARED_LIMIT) prepared.delete(prepared.keys().next().value!);
  prepared.set(k, p);
  return p;
}

/** How many parsed messages the cache holds (tests check its bound). */
export const preparedCount = () => prepared.size;

/** Every template field of the message rendered (data fields as `data.<key>`); parses it (preview, dry run). */
export function renderMessage(message: Message | undefined, scope: RenderScope): Record<string, string> {
  return renderPrepared(prepareMessage(message), scope);
}

/** Every field of a parsed message rendered (the runner, with preparedFor). */
export function renderPrepared(p: Prepared, scope: RenderScope): Record<string, string> {
  const vars = scopeVars(scope);
  const out: Record<string, string> = {};
  for (const [k, t] of p.fields) out[k] = typeof t === 'string' ? t : (liquid.renderSync(t, vars) as string);
  return out;
}
