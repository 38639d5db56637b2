/** Entry of the `hindsight` command (bin/hindsight.mjs runs the bundled dist/cli/main.js). */
import { createBackend } from '../core/backend.js';
import { defaultConfigDir } from '../core/config/paths.js';
import { APP_VERSION } from '../core/rpc/app-version.js';
import { runCli } from './program.js';

runCli(process.argv.slice(2), {
  createBackend,
  configDir: defaultConfigDir(),
  appVersion: APP_VERSION,
  output: { out: (text) => process.stdout.write(`${text}\n`), err: (text) => process.stderr.write(`${text}\n`) },
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`hindsight: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
