// Email opt-outs: unsubscribe links signed with the destination's own key (so nobody can unsubscribe
// someone else by guessing) and the opt-out list the SMTP connector checks before each send.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Db } from '../storage/index.js';
import type { Clock } from '../shared/clock.js';

export class Unsubscribes {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  token(key: string, destinationId: string, email: string): string {
    return createHmac('sha256', key).update(`unsubscribe\n${destinationId}\n${email.trim().toLowerCase()}`).digest('base64url').slice(0, 32);
  }

  url(baseUrl: string, key: string, destinationId: string, email: string): string {
    const q = new URLSearchParams({ d: destinationId, e: email, t: this.token(key, destinationId, email) });
    return `${baseUrl.replace(/\/+$/, '')}/v1/unsubscribe?${q}`;
  }

  verify(key: string, destinationId: string, email: string, token: string): boolean {
    const expected = Buffer.from(this.token(key, destinationId, email));
    const given = Buffer.from(token);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  async record(destinationId: string, email: string): Promise<void> {
    await this.db
      .insertInto('email_optouts')
      .values({ destination_id: destinationId, email: email.trim().toLowerCase(), at: this.clock.now() })
      .onConflict((oc) => oc.columns(['destination_id', 'email']).doNothing())
      .execute();
  }

  async isOptedOut(destinationId: string, email: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('email_optouts')
      .select('email')
      .where('destination_id', '=', destinationId)
      .where('email', '=', email.trim().toLowerCase())
      .executeTakeFirst();
    return row !== undefined;
  }
}
