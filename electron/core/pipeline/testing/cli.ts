/**
 * The real tools a user would restore with by hand (README: `age -d … | zstd -d | tar -x`),
 * driven from tests. age reads a passphrase from the terminal only, so passphrase runs go through
 * `script`, which gives it a pseudo-terminal fed from our stdin.
 */
import { runCli, shellSha256 } from './sinks.js';

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function decompressCommand(kind: 'zstd' | 'gzip' | 'none'): string {
  return kind === 'zstd' ? 'zstd -d -c' : kind === 'gzip' ? 'gzip -d -c' : 'cat';
}

/** sha256 of `age -d -i identityFile < file | <decompress>`. */
export function cliDecodeWithIdentity(file: string, identityFile: string, kind: 'zstd' | 'gzip' | 'none') {
  return shellSha256(`age -d -i ${q(identityFile)} < ${q(file)} | ${decompressCommand(kind)}`);
}

/** sha256 of `<decompress> < file` (unencrypted objects). */
export function cliDecode(file: string, kind: 'zstd' | 'gzip' | 'none') {
  return shellSha256(`${decompressCommand(kind)} < ${q(file)}`);
}

/** `age -d` with a passphrase typed on a pseudo-terminal; writes `out`. */
export async function cliDecryptWithPassphrase(file: string, out: string, passphrase: string) {
  const r = await runCli('script', ['-qec', `age -d -o ${q(out)} ${q(file)}`, '/dev/null'], `${passphrase}\n`);
  return { code: r.code, output: r.stdout.toString() };
}

/** `age -p` with the passphrase typed twice on a pseudo-terminal. */
export async function cliEncryptWithPassphrase(file: string, out: string, passphrase: string) {
  const r = await runCli('script', ['-qec', `age -p -o ${q(out)} ${q(file)}`, '/dev/null'], `${passphrase}\n${passphrase}\n`);
  return { code: r.code, output: r.stdout.toString() };
}

export async function cliEncryptToRecipient(file: string, out: string, recipient: string) {
  return runCli('age', ['-r', recipient, '-o', out, file]);
}
