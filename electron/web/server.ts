/**
 * `node dist/web/server.js [--host 127.0.0.1] [--port 7420] [--static-dir dist/renderer]`
 * Web mode: the same core and contract as the desktop app, served to a browser on loopback behind a
 * random token (HINDSIGHT_WEB_TOKEN fixes it, for e2e). Prints the URL to open, like Jupyter.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createBackend } from '../core/backend.js';
import { warmUpTimelines } from '../core/backup/warm-up.js';
import { defaultConfigDir } from '../core/config/paths.js';
import { APP_VERSION } from '../core/rpc/app-version.js';
import { createRouter } from '../core/rpc/router.js';
import { consoleLogger } from '../core/rpc/types.js';
import { generateToken, isLoopbackHost } from './security.js';
import { faultHookFromEnv } from './test-fault.js';
import { startWebServer } from './web-server.js';

const USAGE = `Usage: hindsight-web [--host ADDRESS] [--port N] [--static-dir DIR]
  --host        address to listen on (default 127.0.0.1; anything else exposes the console)
  --port        port, 0 for a free one (default $HINDSIGHT_WEB_PORT or 7420)
  --static-dir  the built renderer (default dist/renderer next to this script)
Environment: HINDSIGHT_CONFIG_DIR, HINDSIGHT_WEB_PORT, HINDSIGHT_WEB_TOKEN
  (tests only: HINDSIGHT_TEST_FAULT=restore:<step> with HINDSIGHT_TEST_FAULTS_ENABLED=1)`;

function parsePort(raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${raw}`);
  return port;
}

/** dist/web/server.js → dist/renderer; when run from source, ./dist/renderer. */
function defaultStaticDir(): string {
  const besideBundle = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../renderer');
  return existsSync(path.join(besideBundle, 'index.html')) ? besideBundle : path.resolve('dist/renderer');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'static-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const host = values.host ?? '127.0.0.1';
  const port = parsePort(values.port ?? process.env.HINDSIGHT_WEB_PORT ?? '7420');
  const staticDir = path.resolve(values['static-dir'] ?? defaultStaticDir());
  if (!existsSync(path.join(staticDir, 'index.html'))) {
    throw new Error(`no built renderer in ${staticDir}: run "npm run build" (or "npm run serve")`);
  }
  if (!isLoopbackHost(host)) {
    console.warn(`Warning: listening on ${host}: anyone who can reach it and has the token controls your hosts.`);
  }
  const token = process.env.HINDSIGHT_WEB_TOKEN || generateToken();
  const configDir = defaultConfigDir();
  // Test-only: a restore that fails at a chosen step (HINDSIGHT_TEST_FAULT + HINDSIGHT_TEST_FAULTS_ENABLED=1).
  const restoreBeforeStep = faultHookFromEnv(process.env);
  const backend = await createBackend({ configDir, ...(restoreBeforeStep ? { restoreBeforeStep } : {}) });
  // The newest month of each local repository listed while the page loads (backup/warm-up.ts).
  void warmUpTimelines(backend.handlers);
  const router = createRouter(backend, { mode: 'web', configDir, appVersion: APP_VERSION, logger: consoleLogger });
  const server = await startWebServer({ router, staticDir, host, port, token });
  console.log(`Hindsight web console: ${server.url}`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.close();
    router.dispose();
    await backend.dispose();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  console.error(`hindsight web: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
