// The write key from HTTP Basic auth: the user name, with an empty password.
export const basicUser = (header: string | undefined): string | undefined => {
  const m = header && /^Basic\s+(\S+)$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const user = decoded.split(':')[0];
  return user || undefined;
};
