// In-process benchmarks measure the built product (dist/, what `meridian start` runs), not the
// TypeScript sources through tsx: tsx's transform wraps every nested function in a naming helper
// (esbuild keepNames), which cost the identity stage about 6 % of its throughput. The caller names
// the module by its path under src/ and types it from the source: `built<typeof import('../src/x.js')>('x.js')`.
import { existsSync } from 'node:fs';

export async function built<T>(modulePath: string): Promise<T> {
  const url = new URL(`../dist/${modulePath}`, import.meta.url);
  if (!existsSync(url)) throw new Error(`${url.pathname} is missing: run \`npm run build\` first (the npm bench scripts do)`);
  return (await import(url.href)) as T;
}
