// The first owner, made on the first start of an installation with no user: from
// MERIDIAN_OWNER_EMAIL / MERIDIAN_OWNER_PASSWORD when set, otherwise with a generated password
// printed once on the terminal (standard output, never the log).
import type { UserStore } from './user-store.js';

export const DEFAULT_OWNER_EMAIL = 'owner@meridian.local';

export async function ensureOwner(users: UserStore, opts: { email?: string; password?: string; print: (text: string) => void }): Promise<void> {
  if ((await users.count()) > 0) return;
  const email = opts.email ?? DEFAULT_OWNER_EMAIL;
  try {
    const { password } = await users.create({ email, role: 'owner', password: opts.password });
    if (password)
      opts.print(
        `\nMeridian: first start — an owner account was created. Sign in to the console with\n  email:    ${email}\n  password: ${password}\n` +
          `This password is shown only now; change it after signing in (or set MERIDIAN_OWNER_EMAIL / MERIDIAN_OWNER_PASSWORD before the first start).\n\n`,
      );
  } catch (err) {
    // Another process sharing the store made the owner first.
    if ((await users.count()) === 0) throw err;
  }
}
