#!/usr/bin/env node
// The `meridian` command. Runs the compiled CLI; `npm run build` produces it (npm start does so itself).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const cli = fileURLToPath(new URL('../dist/cli/index.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('meridian: the compiled CLI is missing; run `npm run build` first.');
  process.exit(1);
}
await import(cli);
