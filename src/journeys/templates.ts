// Built-in journeys over the Segment e-commerce spec events (Product Viewed, Product Added, Order
// Completed with `products`, `revenue`/`total`, `coupon`). Each is a function of the destinations and
// coupon pool the user picks; the result is an ordinary definition (validated like any other).
import type { FromTemplateBody, JourneyDefinition, JourneyTemplate } from './schema.js';

type Inputs = { email: string; line: string; push: string; webhook: string; couponPool: string };
const h = (amount: number) => ({ amount, unit: 'hours' as const });
const d = (amount: number) => ({ amount, unit: 'days' as const });
const ORDER = { event: 'Order Completed' };

interface Template {
  id: string;
  name: string;
  description: string;
  needs: JourneyTemplate['needs'];
  build(i: Inputs): JourneyDefinition;
}

const cartLines = '{% for p in cart %}- {{ p.name }} × {{ p.quantity | default: 1 }}: {{ p.price }}\n{% endfor %}';

export const TEMPLATES: Template[] = [
  {
    id: 'cart-abandonment',
    name: 'Cart abandonment',
    description: 'Product Added and no Order Completed: email with the cart after 1 h, LINE with a coupon after 24 h, a last email after 72 h. Ordering exits at once (goal).',
    needs: ['email', 'line', 'couponPool'],
    build: (i) => ({
      version: 1,
      trigger: { type: 'event', event: 'Product Added' },
      steps: [
        { id: 'wait-1h', type: 'wait', duration: h(1), next: 'email-cart' },
        { id: 'email-cart', type: 'send', channel: 'email', destinationId: i.email, message: { subject: 'You left something in your cart', text: `Hi {{ profile.first_name | default: "there" }}, your cart:\n${cartLines}` }, next: 'wait-24h' },
        { id: 'wait-24h', type: 'wait', duration: h(23), next: 'line-coupon' },
        { id: 'line-coupon', type: 'send', channel: 'line', destinationId: i.line, couponPoolId: i.couponPool, message: { text: 'Still thinking it over? {{ coupon }} takes 10 % off your cart.' }, next: 'wait-72h' },
        { id: 'wait-72h', type: 'wait', duration: h(48), next: 'email-last' },
        { id: 'email-last', type: 'send', channel: 'email', destinationId: i.email, message: { subject: 'Last chance: your cart expires', text: `Your cart is about to expire:\n${cartLines}Use {{ coupon }} at checkout.` }, next: 'done' },
        { id: 'done', type: 'exit' },
      ],
      rules: { goal: ORDER, reentry: { policy: 'after', after: d(7) }, frequencyCaps: [{ channel: 'email', max: 3, per: d(1) }] },
    }),
  },
  {
    id: 'browse-abandonment',
    name: 'Browse abandonment',
    description: 'Product Viewed and no Product Added within 1 h: one email about the product.',
    needs: ['email'],
    build: (i) => ({
      version: 1,
      trigger: { type: 'event', event: 'Product Viewed' },
      steps: [
        { id: 'wait-add', type: 'wait_for_event', event: 'Product Added', timeout: h(1), next: 'done', timeoutNext: 'email-product' },
        { id: 'email-product', type: 'send', channel: 'email', destinationId: i.email, message: { subject: 'Still interested in {{ properties.name }}?', text: '{{ properties.name }} is waiting for you: {{ properties.url }}' }, next: 'done' },
        { id: 'done', type: 'exit' },
      ],
      rules: { goal: { event: 'Product Added' }, reentry: { policy: 'after', after: d(3) } },
    }),
  },
  {
    id: 'welcome-series',
    name: 'Welcome series with a signup coupon',
    description: 'Signed Up: welcome email with a coupon at once, tips after 2 days, a reminder of the coupon after 5 days unless they ordered.',
    needs: ['email', 'couponPool'],
    build: (i) => ({
      version: 1,
      trigger: { type: 'event', event: 'Signed Up' },
      steps: [
        { id: 'welcome', type: 'send', channel: 'email', destinationId: i.email, couponPoolId: i.couponPool, message: { subject: 'Welcome, {{ profile.first_name | default: "friend" }}!', text: 'Thanks for joining. Your welcome code: {{ coupon }}' }, next: 'wait-2d' },
        { id: 'wait-2d', type: 'wait', duration: d(2), next: 'tips' },
        { id: 'tips', type: 'send', channel: 'email', destinationId: i.email, message: { subject: 'Getting the most out of your account', text: 'Three things our customers love…' }, next: 'wait-5d' },
        { id: 'wait-5d', type: 'wait', duration: d(3), next: 'ordered' },
        { id: 'ordered', type: 'branch', branches: [{ when: { type: 'event', event: 'Order Completed' }, next: 'done' }], else: 'reminder' },
        { id: 'reminder', type: 'send', channel: 'email', destinationId: i.email, message: { subject: 'Your welcome code is waiting', text: '{{ coupon }} is still valid.' }, next: 'done' },
        { id: 'done', type: 'exit' },
      ],
      rules: { reentry: { policy: 'once' } },
    }),
  },
  {
    id: 'post-purchase',
    name: 'Post-purchase',
    description: 'Order Completed: thank-you at once, a cross-sell after 3 days, a review request 7 days after the order.',
    needs: ['email'],
    build: (i) => ({
      version: 1,
      trigger: { type: 'event', event: 'Order Completed' },
      steps: [
        { id: 'thank-you', type: 'send', channel: 'email', destinationId: i.email, message: { subject: 'Thank you for your order {{ properties.order_id }}', text: `We received your order:\n${cartLines}Total: {{ properties.total | default: properties.revenue }}` }, next: 'wait-3d' },
        { id: 'wait-3d', type: 'wait', duration: d(3), next: 'cross-sell' },
        { id: 'cross-sell', type: 'send', channel: 'email', destinationId: i.email, message: { subject: 'Goes well with your {{ cart[0].name }}', text: 'Customers who bought {{ cart[0].name }} also liked these.' }, next: 'wait-7d' },
        { id: 'wait-7d', type: 'wait', duration: d(4), next: 'review' },
        { id: 'review', type: 'send', channel: 'email', destinationId: i.email, message: { subject: 'How was your order?', text: 'Tell us what you think of {{ cart[0].name }}.' }, next: 'done' },
        { id: 'done', type: 'exit' },
      ],
      rules: { reentry: { policy: 'always' } },
    }),
  },
  {
    id: 'win-back',
    name: 'Win-back',
    description: 'Entering a lapsed-customers segment (e.g. the lapsed-customers segment template): email with a coupon, LINE after 7 days. Ordering exits.',
    needs: ['email', 'line', 'couponPool'],
    build: (i) => ({
      version: 1,
      trigger: { type: 'segment_entered', segmentId: '{{segment}}' },
      steps: [
        { id: 'email-miss-you', type: 'send', channel: 'email', destinationId: i.email, couponPoolId: i.couponPool, message: { subject: 'We miss you', text: 'Come back with {{ coupon }}: 15 % off.' }, next: 'wait-7d' },
        { id: 'wait-7d', type: 'wait', duration: d(7), next: 'line-nudge' },
        { id: 'line-nudge', type: 'send', channel: 'line', destinationId: i.line, message: { text: 'Your code {{ coupon }} expires soon.' }, next: 'done' },
        { id: 'done', type: 'exit' },
      ],
      rules: { goal: ORDER, exitOnSegmentExit: true, reentry: { policy: 'after', after: d(90) }, holdoutPercent: 10 },
    }),
  },
  {
    id: 'birthday',
    name: 'Birthday',
    description: 'Every day at 09:00: people whose `birthday` trait is today get a birthday email with a coupon.',
    needs: ['email', 'couponPool'],
    build: (i) => ({
      version: 1,
      trigger: { type: 'schedule', at: '09:00', dateTrait: 'birthday' },
      steps: [
        { id: 'birthday-email', type: 'send', channel: 'email', destinationId: i.email, couponPoolId: i.couponPool, message: { subject: 'Happy birthday, {{ profile.first_name | default: "friend" }}!', text: 'A gift for you: {{ coupon }}' }, next: 'done' },
        { id: 'done', type: 'exit' },
      ],
      rules: { reentry: { policy: 'after', after: d(300) } },
    }),
  },
];

export function templateList(): JourneyTemplate[] {
  const placeholders: Inputs = { email: '{{destination.email}}', line: '{{destination.line}}', push: '{{destination.push}}', webhook: '{{destination.webhook}}', couponPool: '{{couponPool}}' };
  return TEMPLATES.map((t) => ({ id: t.id, name: t.name, description: t.description, needs: t.needs, definition: t.build(placeholders) }));
}

export function buildFromTemplate(t: Template, body: FromTemplateBody): JourneyDefinition {
  const ds = body.destinations ?? {};
  const unset = (what: string) => `(${what} not given)`;
  const def = t.build({ email: ds.email ?? unset('email destination'), line: ds.line ?? unset('LINE destination'), push: ds.push ?? unset('push destination'), webhook: ds.webhook ?? unset('webhook destination'), couponPool: body.couponPoolId ?? '' });
  if (def.trigger.type === 'segment_entered') def.trigger.segmentId = body.segmentId ?? unset('segmentId');
  // Inputs left empty become reference errors naming the step (a coupon step without a pool drops the coupon).
  for (const s of def.steps) if (s.type === 'send' && s.couponPoolId === '') delete s.couponPoolId;
  return def;
}
