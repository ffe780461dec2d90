// The write key from HTTP Basic auth: the user name, with an empty password.
export const basicUser = (header: string | undefined): string | undefined => {
  if (!header) return undefined;
  // An SDK sends the same header on every call: decoding it (a regular expression, a base64 decode,
  // a split) is remembered per header text. A pure function of the header, so nothing to invalidate;
  // bounded, so that a client sending a new header each time cannot grow it.
  const hit = decoded.get(header);
  if (hit !== undefined) return hit || undefined;
  const user = decode(header);
  if (decoded.size >= MAX_HEADERS) decoded.clear();
  decoded.set(header, user ?? '');
  return user;
};

const MAX_HEADERS = 1_000;
const decoded = new Map<string, string>();

function decode(header: string): string | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(header);
  if (!m) return undefined;
  const user = Buffer.from(m[1], 'base64').toString('utf8').split(':')[0];
  return user || undefined;
}
