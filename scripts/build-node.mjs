#!/usr/bin/env node
// Bundles the Node-side entry points with esbuild (the renderer is Vite's job):
//   electron/main/main.ts       → dist/electron/main.cjs     CommonJS; electron + packages external
//   electron/preload/preload.ts → dist/electron/preload.cjs  CommonJS, self-contained (a sandboxed
//                                                            preload can require nothing but electron)
//   electron/web/server.ts      → dist/web/server.js         ESM, packages external
//   electron/cli/main.ts        → dist/cli/main.js           ESM, packages external
// and copies assets/icon.png to dist/assets/ (the window icon; electron-builder packs dist/**).
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cjsInteropPlugin } from './cjs-interop-plugin.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = (p) => path.join(root, p);

const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  sourcemap: true,
  logLevel: 'warning',
  // agent-image.ts reads import.meta only where __filename is missing (ESM): empty in CJS is fine.
  logOverride: { 'empty-import-meta': 'silent' },
  absWorkingDir: root,
};

const targets = [
  { entryPoints: [at('electron/main/main.ts')], outfile: at('dist/electron/main.cjs'), format: 'cjs', packages: 'external', external: ['electron'] },
  { entryPoints: [at('electron/preload/preload.ts')], outfile: at('dist/electron/preload.cjs'), format: 'cjs', external: ['electron'] },
  // ESM: packages stay external, CommonJS-only ones through the interop shim (see the plugin).
  { entryPoints: [at('electron/web/server.ts')], outfile: at('dist/web/server.js'), format: 'esm', plugins: [cjsInteropPlugin(root)] },
  { entryPoints: [at('electron/cli/main.ts')], outfile: at('dist/cli/main.js'), format: 'esm', plugins: [cjsInteropPlugin(root)] },
];

const started = Date.now();
await Promise.all(targets.map((target) => build({ ...common, ...target })));
await mkdir(at('dist/assets'), { recursive: true });
await copyFile(at('assets/icon.png'), at('dist/assets/icon.png'));
console.log(`build-node: ${targets.length} bundles in ${Date.now() - started} ms`);
