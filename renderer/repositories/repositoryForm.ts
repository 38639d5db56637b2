/**
 * The add/edit repository form as plain data: blank for a new one, filled from a saved one (secrets
 * never come back: blank means "keep the stored one"), checked field by field, and turned into the
 * contract's RepositoryInput. No React: unit-tested on its own.
 */
import type { Repository, RepositoryInput } from '../../shared/contract/index.js';

export type RepoKind = 's3' | 'sftp' | 'local';
export type CredentialSource = 'keys' | 'profile' | 'env';

export interface RepositoryForm {
  kind: RepoKind;
  name: string;
  endpoint: string;
  bucket: string;
  prefix: string;
  /** Blank: the backend's AWS_REGION, or the profile's region, or us-east-1. */
  region: string;
  forcePathStyle: boolean;
  credentialSource: CredentialSource;
  accessKeyId: string;
  /** Write-only. On edit, blank keeps the stored secret. */
  secretAccessKey: string;
  profile: string;
  address: string;
  port: string;
  user: string;
  authType: 'key' | 'agent';
  keyPath: string;
  keyPassphrase: string;
  /** SFTP: the directory on the server. Local: a folder on this machine. */
  path: string;
}

export const EMPTY_FORM: RepositoryForm = {
  kind: 's3',
  name: '',
  endpoint: '',
  bucket: '',
  prefix: '',
  region: '',
  forcePathStyle: true,
  credentialSource: 'keys',
  accessKeyId: '',
  secretAccessKey: '',
  profile: '',
  address: '',
  port: '22',
  user: '',
  authType: 'key',
  keyPath: '',
  keyPassphrase: '',
  path: '',
};

export function formOf(repo: Repository): RepositoryForm {
  const base = { ...EMPTY_FORM, kind: repo.kind, name: repo.name };
  switch (repo.kind) {
    case 's3':
      return {
        ...base,
        endpoint: repo.endpoint ?? '',
        bucket: repo.bucket,
        prefix: repo.prefix,
        region: repo.region,
        forcePathStyle: repo.forcePathStyle,
        credentialSource: repo.credentials.source,
        accessKeyId: repo.credentials.source === 'keys' ? repo.credentials.accessKeyId : '',
        profile: repo.credentials.source === 'profile' ? (repo.credentials.profile ?? '') : '',
      };
    case 'sftp':
      return { ...base, address: repo.address, port: String(repo.port), user: repo.user, authType: repo.auth.type, keyPath: repo.auth.type === 'key' ? repo.auth.keyPath : '', path: repo.path };
    case 'local':
      return { ...base, path: repo.path ?? '' };
  }
}

export type FormErrors = Partial<Record<keyof RepositoryForm, string>>;

/** What is wrong with the form, field by field (empty: it can be saved). */
export function validate(f: RepositoryForm, editing: Repository | null): FormErrors {
  const e: FormErrors = {};
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(f.name)) e.name = 'Letters, digits, ".", "_" or "-"; starting with a letter or digit.';
  if (f.kind === 's3') {
    if (f.endpoint && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(f.endpoint)) e.endpoint = 'An http:// or https:// address, or blank for AWS.';
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{2,254}$/.test(f.bucket)) e.bucket = 'A bucket name (3 or more letters, digits, ".", "_", "-").';
    if (f.prefix.startsWith('/') || f.prefix.includes('//') || f.prefix.includes('\\')) e.prefix = 'No leading "/", no "//", no backslash.';
    if (f.credentialSource === 'keys') {
      if (!f.accessKeyId.trim()) e.accessKeyId = 'The access key id.';
      const keeps = editing?.kind === 's3' && editing.credentials.source === 'keys' && editing.hasSecret;
      if (!f.secretAccessKey && !keeps) e.secretAccessKey = 'The secret access key.';
    }
  } else if (f.kind === 'sftp') {
    if (!f.address.trim()) e.address = 'The server name or address.';
    const port = Number(f.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) e.port = 'A port from 1 to 65535.';
    if (!f.user.trim()) e.user = 'The login user.';
    if (f.authType === 'key' && !f.keyPath.trim()) e.keyPath = 'The private key file on the machine running Hindsight.';
    if (!f.path.trim()) e.path = 'The repository directory on the server, e.g. /srv/backups/hindsight.';
  }
  return e;
}

export function toInput(f: RepositoryForm): RepositoryInput {
  const name = f.name.trim();
  switch (f.kind) {
    case 's3':
      return {
        kind: 's3',
        name,
        bucket: f.bucket.trim(),
        prefix: f.prefix.trim(),
        forcePathStyle: f.forcePathStyle,
        ...(f.endpoint.trim() ? { endpoint: f.endpoint.trim() } : {}),
        ...(f.region.trim() ? { region: f.region.trim() } : {}),
        credentials:
          f.credentialSource === 'keys'
            ? { source: 'keys', accessKeyId: f.accessKeyId.trim() }
            : f.credentialSource === 'profile'
              ? { source: 'profile', ...(f.profile.trim() ? { profile: f.profile.trim() } : {}) }
              : { source: 'env' },
        // Blank keeps the stored secret on edit (the field is write-only).
        ...(f.credentialSource === 'keys' && f.secretAccessKey ? { secretAccessKey: f.secretAccessKey } : {}),
      };
    case 'sftp':
      return {
        kind: 'sftp',
        name,
        address: f.address.trim(),
        port: Number(f.port),
        user: f.user.trim(),
        auth: f.authType === 'key' ? { type: 'key', keyPath: f.keyPath.trim() } : { type: 'agent' },
        path: f.path.trim(),
        ...(f.keyPassphrase ? { keyPassphrase: f.keyPassphrase } : {}),
      };
    case 'local':
      return { kind: 'local', name, ...(f.path.trim() ? { path: f.path.trim() } : {}) };
  }
}

/** Where a repository keeps its snapshots, in one line. */
export function locationOf(r: Repository): string {
  switch (r.kind) {
    case 's3':
      return `s3://${r.bucket}/${r.prefix}${r.endpoint ? ` at ${r.endpoint}` : ''} (${r.region})`;
    case 'sftp':
      return `sftp://${r.user}@${r.address}${r.port === 22 ? '' : `:${r.port}`}${r.path.startsWith('/') ? '' : '/'}${r.path}`;
    case 'local':
      return r.path ?? 'the app data folder';
  }
}
