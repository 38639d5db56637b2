/**
 * Snapshot repositories (ARCHITECTURE §4): where snapshots are kept — an S3-compatible bucket, a
 * directory on an SSH backup server (SFTP), or a local folder: the schemas and the `repositories`
 * contract domain (list, add, remove, check, init).
 *
 * Secrets never live in the config itself: the S3 secret key, session token and an SSH key's
 * passphrase are write-only inputs, kept by the backend in repository-secrets.json (mode 0600).
 * What the renderer sees of a repository says only whether a secret is stored.
 */
import { z } from 'zod';
import { Empty, event, invoke } from './define.js';
import { HostKeyInfo, SshAuth } from './hosts.js';

export const RepositoryKind = z.enum(['s3', 'sftp', 'local']);
export type RepositoryKind = z.infer<typeof RepositoryKind>;

const repoName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" or "-"');

/** Where the S3 credentials come from. Only `keys` needs a stored secret. */
export const S3Credentials = z.discriminatedUnion('source', [
  /** An access key id here, its secret (and an optional session token) in the secrets file. */
  z.object({ source: z.literal('keys'), accessKeyId: z.string().min(1).max(256) }),
  /** AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN) of the backend's process. */
  z.object({ source: z.literal('env') }),
  /** A profile of ~/.aws/config and ~/.aws/credentials (SSO and credential_process included);
   *  without a name, the AWS SDK's default chain (AWS_PROFILE, then "default", …). */
  z.object({ source: z.literal('profile'), profile: z.string().min(1).max(128).optional() }),
]);
export type S3Credentials = z.infer<typeof S3Credentials>;

const s3Fields = {
  kind: z.literal('s3'),
  /** A custom endpoint for MinIO, Ceph, Swift, s3rver…; absent means AWS itself. */
  endpoint: z
    .string()
    .max(2048)
    .regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, 'an http:// or https:// URL')
    .optional(),
  region: z.string().min(1).max(64).default('us-east-1'),
  bucket: z
    .string()
    .min(3)
    .max(255)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a bucket name'),
  /** A key prefix inside the bucket ("team/hindsight"), so one bucket can hold several repositories. */
  prefix: z
    .string()
    .max(512)
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
    .regex(/^(?!\/)(?!.*\/\/)[^\\\u0000-\u001f]*$/, 'a key prefix: no leading "/", no "//", no backslash')
    .default(''),
  /** Path-style addressing (http://host/bucket/key): MinIO, Ceph and most self-hosted servers need it. */
  forcePathStyle: z.boolean().default(false),
  credentials: S3Credentials,
  /** Attempts per request, first try included, before an error is reported (the SDK backs off in between). */
  maxAttempts: z.number().int().min(1).max(10).default(3),
};

const sftpFields = {
  kind: z.literal('sftp'),
  address: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65535).default(22),
  user: z.string().min(1).max(64),
  auth: SshAuth,
  /** The repository directory on the server, e.g. "/repo" (absolute, or relative to the login directory). */
  path: z.string().min(1).max(4096),
};

const localFields = {
  kind: z.literal('local'),
  /** A directory on the machine running the backend; absent means `<app data dir>/repository`. */
  path: z.string().min(1).max(4096).optional(),
};

const stored = { id: z.string().min(1).max(128), name: repoName, createdAt: z.string() };

/** A repository as kept in repositories.json: no secrets. */
export const RepositoryConfig = z.discriminatedUnion('kind', [
  z.object({ ...stored, ...s3Fields }),
  z.object({ ...stored, ...sftpFields }),
  z.object({ ...stored, ...localFields }),
]);
export type RepositoryConfig = z.infer<typeof RepositoryConfig>;
export type S3RepositoryConfig = Extract<RepositoryConfig, { kind: 's3' }>;
export type SftpRepositoryConfig = Extract<RepositoryConfig, { kind: 'sftp' }>;
export type LocalRepositoryConfig = Extract<RepositoryConfig, { kind: 'local' }>;

/** The secrets of one repository, as the backend keeps them (never sent to the renderer). */
export const RepositorySecrets = z.object({
  secretAccessKey: z.string().min(1).max(1024).optional(),
  sessionToken: z.string().min(1).max(8192).optional(),
  keyPassphrase: z.string().min(1).max(1024).optional(),
});
export type RepositorySecrets = z.infer<typeof RepositorySecrets>;

/**
 * What the renderer sends to create a repository. The secrets are write-only; on update, an empty
 * string forgets a stored secret and an absent field keeps it.
 */
export const RepositoryInput = z.discriminatedUnion('kind', [
  z.object({
    name: repoName,
    ...s3Fields,
    /** Blank or absent: AWS_REGION / AWS_DEFAULT_REGION of the backend, else the profile's region, else us-east-1. */
    region: z.string().max(64).optional(),
    secretAccessKey: z.string().max(1024).optional(),
    sessionToken: z.string().max(8192).optional(),
  }),
  z.object({ name: repoName, ...sftpFields, keyPassphrase: z.string().max(1024).optional() }),
  z.object({ name: repoName, ...localFields }),
]);
export type RepositoryInput = z.input<typeof RepositoryInput>;

/** What the renderer sees of a repository. */
export const Repository = z.discriminatedUnion('kind', [
  z.object({ ...stored, ...s3Fields, hasSecret: z.boolean(), builtIn: z.boolean() }),
  z.object({ ...stored, ...sftpFields, hasSecret: z.boolean(), builtIn: z.boolean() }),
  z.object({ ...stored, ...localFields, hasSecret: z.boolean(), builtIn: z.boolean() }),
]);
export type Repository = z.infer<typeof Repository>;

/** The format marker at the root of every repository: hindsight-repo.json. */
export const REPOSITORY_FORMAT = 'hindsight/1';
export const RepositoryMarker = z
  .object({
    format: z.literal(REPOSITORY_FORMAT),
    /** A UUID naming this repository (stable across copies of it, e.g. an rsync to another disk). */
    id: z.string().min(1).max(128),
    createdAt: z.string(),
    /**
     * Whether new snapshots are encrypted (age format). Each manifest still records per object
     * what was done, so a reader never has to trust this field alone.
     */
    encryption: z.object({ scheme: z.enum(['none', 'age']) }).loose(),
  })
  // Newer writers of format 1 may add fields; older readers must keep working.
  .loose();
export type RepositoryMarker = z.infer<typeof RepositoryMarker>;

/** Where a repository check stopped: settings, reaching the storage, its host key, the account, or the format marker. */
export const RepositoryCheckStep = z.enum(['config', 'connect', 'hostkey', 'auth', 'marker']);
export type RepositoryCheckStep = z.infer<typeof RepositoryCheckStep>;

/**
 * repositories.check: the storage answered and holds a Hindsight repository of a format this
 * version reads — or the step that failed, in plain words.
 */
export const RepositoryCheckResult = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    message: z.string(),
    /** Where the repository is, as messages name it (bucket and prefix, server and path, folder). */
    location: z.string(),
    format: z.string(),
    /** The repository's own id, from its marker. */
    id: z.string(),
    createdAt: z.string(),
    latencyMs: z.number(),
  }),
  z.object({
    ok: z.literal(false),
    step: RepositoryCheckStep,
    code: z.string(),
    message: z.string(),
    /** Present when the step is 'hostkey' (SFTP): the key the server showed, to accept with hosts.acceptHostKey or investigate. */
    hostKey: HostKeyInfo.extend({ status: z.enum(['unknown', 'changed']) }).optional(),
    /** Step 'marker': the location holds nothing at all, so it may be initialised (init). */
    empty: z.boolean().optional(),
  }),
]);
export type RepositoryCheckResult = z.infer<typeof RepositoryCheckResult>;

const RepositoryId = z.object({ id: z.string().min(1).max(128) });

export const repositoriesContract = {
  /** The built-in local repository first, then the saved ones. Never any secret: `hasSecret` only. */
  list: invoke(Empty, z.array(Repository)),
  /** Save a repository; its secrets are write-only. Does not touch the storage (see check / init). */
  add: invoke(RepositoryInput, Repository),
  /** Change a saved repository's settings; absent secrets are kept, an empty one is forgotten. */
  update: invoke(z.object({ id: z.string().min(1).max(128), repository: RepositoryInput }), Repository),
  /** Forget a saved repository (and its secrets). The storage and its snapshots are left as they are. */
  remove: invoke(RepositoryId, z.object({ removed: z.boolean() })),
  /** Reach the storage and read its format marker. */
  check: invoke(RepositoryId, RepositoryCheckResult),
  /** Make an empty location a repository (writes the marker); refuses a non-empty one (CONFLICT). */
  init: invoke(RepositoryId, z.object({ location: z.string(), format: z.string(), id: z.string(), createdAt: z.string() })),
  onChanged: event(z.object({ repositoryId: z.string().optional() })),
} as const;
