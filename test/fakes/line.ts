// Fake LINE Messaging API: push / multicast (1–500 recipients) / broadcast with a Bearer channel
// token; X-Line-Retry-Key must be a UUID, and a key that was already accepted gets 409 (the real
// platform's answer to a retried request it executed).
import { startFake, type FakeServer } from './fake-server.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const err = (status: number, message: string) => ({ status, body: { message } });

export interface FakeLine extends FakeServer {
  /** Recipients of each accepted message text. */
  delivered: { to: string[]; text: string }[];
}

export async function startFakeLine(token: string): Promise<FakeLine> {
  const delivered: FakeLine['delivered'] = [];
  const acceptedKeys = new Set<string>();
  const fake = await startFake((req) => {
    if (req.headers.authorization !== `Bearer ${token}`) return err(401, 'Authentication failed due to the expired access token');
    if (req.method === 'GET' && req.path === '/v2/bot/info') return { status: 200, body: { userId: 'Ubot', displayName: 'fake' } };
    const kind = /^\/v2\/bot\/message\/(push|multicast|broadcast)$/.exec(req.path)?.[1];
    if (req.method !== 'POST' || !kind) return err(404, 'Not found');
    const key = req.headers['x-line-retry-key'];
    if (key !== undefined && !UUID.test(String(key))) return err(400, 'The value for the X-Line-Retry-Key header is invalid');
    if (key !== undefined && acceptedKeys.has(String(key))) return { status: 409, body: { message: 'The retry key is already accepted' }, headers: { 'x-line-accepted-request-id': 'fake' } };
    const body = req.json as { to?: unknown; messages?: { type?: string; text?: string }[] } | undefined;
    if (!Array.isArray(body?.messages) || body.messages.length < 1 || body.messages.length > 5) return err(400, 'The request body has 1 error(s): messages must have 1 to 5 items');
    if (body.messages.some((m) => m.type !== 'text' || typeof m.text !== 'string' || m.text.length > 5000)) return err(400, 'invalid message object');
    let to: string[] = [];
    if (kind === 'push') {
      if (typeof body.to !== 'string') return err(400, "The property, 'to', in the request body is invalid");
      to = [body.to];
    } else if (kind === 'multicast') {
      if (!Array.isArray(body.to) || body.to.length < 1 || body.to.length > 500) return err(400, "Size must be between 1 and 500 (property 'to')");
      to = body.to as string[];
    }
    if (key !== undefined) acceptedKeys.add(String(key));
    delivered.push({ to, text: body.messages[0].text! });
    return { status: 200, body: { sentMessages: to.map((_, i) => ({ id: String(i), quoteToken: 'q' })) } };
  });
  return Object.assign(fake, { delivered });
}
