#!/usr/bin/env node
// Bundles the agent (electron/agent/main.ts) into ONE CommonJS file with every package inside, so
// the agent image needs only Node and this file: dist/agent/agent.cjs. ssh2's optional native
// helpers (cpu-features, sshcrypto.node) stay out: ssh2 falls back to pure JS without them.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// dockerode loads its BuildKit session support (gRPC and protobufjs, ~830 KiB of the bundle) at
// require time, for `buildImage({ version: '2' })`, which the agent never calls. Every exec of the
// agent's CLI paid for compiling and running it (~60 ms of a ~450 ms start on the 2-core machine).
const noBuildKitSessions = {
  name: 'no-buildkit-sessions',
  setup(b) {
    b.onResolve({ filter: /^\.\/session$/ }, (args) => (/dockerode[\\/]lib[\\/]docker\.js$/.test(args.importer) ? { path: 'dockerode-session', namespace: 'stub' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: "module.exports = function () { throw new Error('BuildKit sessions are not part of the Hindsight agent'); };",
      loader: 'js',
    }));
  },
};
const out = process.argv[2] ?? path.join(root, 'dist/agent/agent.cjs');
// What `hindsight-agent` runs: a client of a few KiB that hands the command to the agent's warm
// worker, or loads agent.cjs (next to it) when there is none (electron/agent/exec-client.ts).
await build({
  entryPoints: [path.join(root, 'electron/agent/exec-client.ts')],
  outfile: path.join(path.dirname(out), 'client.cjs'),
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  minify: false,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  absWorkingDir: root,
});
await build({
  entryPoints: [path.join(root, 'electron/agent/main.ts')],
  outfile: out,
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  external: ['cpu-features', '*.node'],
  minify: false,
  sourcemap: false,
  legalComments: 'none',
  // agent-image.ts reads import.meta only where __filename is missing (ESM): empty here is fine.
  logOverride: { 'empty-import-meta': 'silent' },
  logLevel: 'warning',
  absWorkingDir: root,
  plugins: [noBuildKitSessions],
});
console.log(`build-agent-bundle: ${path.relative(root, out)} and client.cjs`);
