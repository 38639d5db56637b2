/**
 * A separate process that runs one restore through the real backend (createBackend on a config
 * dir), for the test that kills it mid-restore. Usage: tsx restore-child.ts <configDir> <input JSON>.
 */
import { createBackend } from '../../backend.js';

const [configDir, inputJson] = process.argv.slice(2);
const backend = await createBackend({ configDir: configDir!, seedLocalHost: false, userKnownHostsPath: null });
const input = JSON.parse(inputJson!) as Parameters<typeof backend.handlers.restore.run.run>[0];
try {
  await backend.handlers.restore.run.run(input, { signal: new AbortController().signal, report: () => undefined });
  process.stdout.write('DONE\n');
} catch (e) {
  process.stdout.write(`FAILED ${(e as Error).message}\n`);
} finally {
  await backend.dispose();
}
