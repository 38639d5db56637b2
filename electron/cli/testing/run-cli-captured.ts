/**
 * The `hindsight` CLI run in-process on a config dir, for integration tests: a real backend (no
 * seeded local host, no ~/.ssh/known_hosts), stdout and stderr captured, the exit code returned.
 */
import { createBackend } from '../../core/backend.js';
import { runCli } from '../program.js';

export async function runCliCaptured(configDir: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    createBackend: (o) => createBackend({ ...o, seedLocalHost: false, userKnownHostsPath: null }),
    configDir,
    appVersion: 'test',
    output: { out: (s) => out.push(s), err: (s) => err.push(s) },
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}
