import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The docker CLI against one lab machine's daemon, straight through its socket (not through Hindsight). */
export async function docker(socket: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('docker', ['-H', `unix://${socket}`, ...args], { timeout: 30_000 });
  return stdout.trim();
}

export const containerState = (socket: string, name: string) => docker(socket, 'inspect', '-f', '{{.State.Status}}', name);
