// The console's build: one Vite app under console/, emitted into dist/console (served by the server at `/`).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../dist/console', import.meta.url));

/** Writes `.gz` next to each JS/CSS asset: the server sends them to clients that accept gzip (no compression per request). */
function precompress(): Plugin {
  return {
    name: 'meridian-precompress',
    apply: 'build',
    closeBundle() {
      const dir = join(outDir, 'assets');
      for (const file of readdirSync(dir))
        if (/\.(js|css)$/.test(file)) writeFileSync(join(dir, file + '.gz'), gzipSync(readFileSync(join(dir, file)), { level: 9 }));
    },
  };
}

/**
 * Libraries every page uses in chunks of their own (cached across deploys of the console), ECharts in
 * one that only chart pages load. Ant Design is left to Rollup: a component lands in the chunk of the
 * pages that use it, so the first page does not download every component.
 */
function chunkOf(id: string): string | undefined {
  if (!id.includes('node_modules')) return undefined;
  if (/node_modules\/(echarts|zrender)\//.test(id)) return 'echarts';
  if (/node_modules\/(react|react-dom|scheduler|react-router|react-router-dom)\//.test(id)) return 'react';
  if (/node_modules\/(i18next|react-i18next|@tanstack)\//.test(id)) return 'app-libs';
  return undefined;
}

export default defineConfig({
  root,
  base: '/',
  plugins: [react(), precompress()],
  build: {
    outDir,
    emptyOutDir: true,
    sourcemap: false,
    manifest: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: { output: { manualChunks: chunkOf } },
  },
  server: { proxy: { '/v1': 'http://127.0.0.1:8080' } },
});
