#!/usr/bin/env node
// The `hindsight` command: runs the bundled CLI (npm run build:node makes dist/cli/main.js).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('hindsight: the CLI is not built yet; run "npm run build:node" first.');
  process.exit(1);
}
await import(entry.href);
