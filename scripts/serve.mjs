#!/usr/bin/env node
// `npm run serve [-- --port 7420 --host 127.0.0.1]`: builds what is missing or stale (the renderer
// with Vite, the Node bundles with esbuild), then runs the web host with the same args and env.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = (p) => path.join(root, p);

/** Newest modification time under the given paths (files or directories, recursively). */
function newest(paths) {
  let latest = 0;
  const visit = (p) => {
    if (!existsSync(p)) return;
    const info = statSync(p);
    if (info.isDirectory()) {
      for (const entry of readdirSync(p)) if (entry !== 'node_modules') visit(path.join(p, entry));
    } else latest = Math.max(latest, info.mtimeMs);
  };
  paths.forEach((p) => visit(at(p)));
  return latest;
}

const builtAt = (file) => (existsSync(at(file)) ? statSync(at(file)).mtimeMs : 0);

function run(command, args) {
  console.log(`serve: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (builtAt('dist/renderer/index.html') < newest(['renderer', 'shared', 'vite.config.ts'])) {
  run('npx', ['vite', 'build']);
}
if (builtAt('dist/web/server.js') < newest(['electron', 'shared', 'package.json', 'scripts/build-node.mjs'])) {
  run(process.execPath, [at('scripts/build-node.mjs')]);
}

const server = spawn(process.execPath, [at('dist/web/server.js'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', env: process.env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
