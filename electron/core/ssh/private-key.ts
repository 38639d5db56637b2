/**
 * Loads the private key for key authentication. Problems here are KEY_UNREADABLE with a message
 * that names the file and what to do — never the key's content or the passphrase.
 */
import fs from 'node:fs/promises';
// ssh2 is CommonJS: only the default export is reliable under Node's ESM loader.
import ssh2, { type ParsedKey } from 'ssh2';
import { expandHome } from '../config/paths.js';
import { StepError } from '../step-error.js';

export async function loadPrivateKey(keyPath: string, passphrase: string | undefined): Promise<ParsedKey> {
  const file = expandHome(keyPath);
  let data: Buffer;
  try {
    data = await fs.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'there is no such file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : `it cannot be read (${code ?? 'error'})`;
    throw new StepError('auth', 'KEY_UNREADABLE', `The private key ${file} cannot be used: ${why}.`);
  }
  const parsed = ssh2.utils.parseKey(data, passphrase);
  if (parsed instanceof Error) {
    const encrypted = /encrypted|passphrase/i.test(parsed.message) || /ENCRYPTED/.test(data.toString('latin1', 0, 400));
    const message = !encrypted
      ? `The private key ${file} cannot be used: it is not a private key format Hindsight understands (OpenSSH, PEM or PuTTY).`
      : passphrase
        ? `The private key ${file} is encrypted and the stored passphrase does not unlock it.`
        : `The private key ${file} is encrypted: enter its passphrase for this host.`;
    // ssh2's own message is safe (it never quotes key material) and helps with odd formats.
    throw new StepError('auth', 'KEY_UNREADABLE', message, parsed.message);
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || !key.isPrivateKey()) {
    throw new StepError('auth', 'KEY_UNREADABLE', `The file ${file} holds a public key; point Hindsight at the private key.`);
  }
  return key;
}
