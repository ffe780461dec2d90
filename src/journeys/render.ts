// Message rendering (pure apart from Liquid): a send step's templates over the profile's traits, the
// triggering event and the journey's context (cart products, coupon code). Rendered once, when the
// step runs, and stored in the outbox, so every retry sends the same message.
import { Liquid } from 'liquidjs';
import type { Message } from './schema.js';

const liquid = new Liquid({ cache: 500 });

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

/** Every template field of the message rendered (data fields as `data.<key>`). */
export function renderMessage(message: Message | undefined, scope: RenderScope): Record<string, string> {
  const vars = scopeVars(scope);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(message ?? {})) {
    if (typeof v === 'string') out[k] = liquid.parseAndRenderSync(v, vars);
    else for (const [dk, dv] of Object.entries(v)) out[`data.${dk}`] = liquid.parseAndRenderSync(dv, vars);
  }
  return out;
}
