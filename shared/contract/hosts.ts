import { z } from 'zod';
import { Empty, event, invoke } from './define.js';

export const HostRole = z.enum(['production', 'backup', 'uat', 'science', 'other']);
export type HostRole = z.infer<typeof HostRole>;

const hostName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" or "-"');
const address = z.string().min(1).max(253);
const port = z.number().int().min(1).max(65535);

export const SshAuth = z.discriminatedUnion('type', [
  /** A private key file on the machine running the backend; its content never crosses the boundary. */
  z.object({ type: z.literal('key'), keyPath: z.string().min(1).max(4096) }),
  /** The ssh-agent at $SSH_AUTH_SOCK. */
  z.object({ type: z.literal('agent') }),
]);
export type SshAuth = z.infer<typeof SshAuth>;

export const SshEndpoint = z.object({
  address,
  port: port.default(22),
  user: z.string().min(1).max(64),
  auth: SshAuth,
});
export type SshEndpoint = z.infer<typeof SshEndpoint>;

export const HostConnection = z.discriminatedUnion('type', [
  z.object({ type: z.literal('local'), socketPath: z.string().min(1).default('/var/run/docker.sock') }),
  SshEndpoint.extend({
    type: z.literal('ssh'),
    /** The engine socket on the remote machine. */
    remoteSocket: z.string().min(1).default('/var/run/docker.sock'),
    /** Optional bastion: the tunnel to the host goes through it. */
    jump: SshEndpoint.optional(),
  }),
]);
export type HostConnection = z.infer<typeof HostConnection>;

/** What the renderer sends to create or probe a host. */
export const HostInput = z.object({
  name: hostName,
  role: HostRole.default('other'),
  protected: z.boolean().default(false),
  connection: HostConnection,
  /** Write-only: kept in the backend's secret store, never returned. */
  keyPassphrase: z.string().max(1024).optional(),
});
export type HostInput = z.input<typeof HostInput>;

/** What the renderer sees of a host: no secrets, only whether one is stored. */
export const Host = z.object({
  id: z.string(),
  name: z.string(),
  role: HostRole,
  protected: z.boolean(),
  connection: HostConnection,
  hasPassphrase: z.boolean(),
  createdAt: z.string(),
});
export type Host = z.infer<typeof Host>;

export const HostKeyInfo = z.object({
  /** "host:port" as written in known_hosts ("[host]:port" when the port is not 22). */
  hostPattern: z.string(),
  keyType: z.string(),
  /** OpenSSH style: "SHA256:base64-without-padding". */
  fingerprint: z.string(),
});
export type HostKeyInfo = z.infer<typeof HostKeyInfo>;

export const CheckStep = z.enum(['config', 'lookup', 'tcp', 'hostkey', 'auth', 'socket', 'docker']);
export type CheckStep = z.infer<typeof CheckStep>;

/** The connection check: either the engine's version and the round-trip time, or which step failed. */
export const CheckResult = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    dockerVersion: z.string(),
    apiVersion: z.string(),
    os: z.string(),
    latencyMs: z.number(),
  }),
  z.object({
    ok: z.literal(false),
    step: CheckStep,
    code: z.string(),
    message: z.string(),
    /** Present when the step is 'hostkey': the key the server showed, for the user to accept (unknown) or investigate (changed). */
    hostKey: HostKeyInfo.extend({ status: z.enum(['unknown', 'changed']) }).optional(),
  }),
]);
export type CheckResult = z.infer<typeof CheckResult>;

const HostId = z.object({ id: z.string().min(1).max(128) });

export const hostsContract = {
  list: invoke(Empty, z.array(Host)),
  get: invoke(HostId, Host),
  add: invoke(HostInput, Host),
  update: invoke(
    HostId.extend({
      // Spelled out rather than HostInput.partial(): zod 4 still applies `.default()`s inside a
      // partial, so a rename would silently reset role to "other" and protected to false.
      patch: z.object({
        name: hostName.optional(),
        role: HostRole.optional(),
        protected: z.boolean().optional(),
        connection: HostConnection.optional(),
        /** "" forgets the stored passphrase. */
        keyPassphrase: z.string().max(1024).optional(),
      }),
    }),
    Host,
  ),
  remove: invoke(HostId, z.object({ removed: z.boolean() })),
  /** Connect to a saved host and report Docker version and latency, or the failing step. */
  check: invoke(HostId, CheckResult),
  /** Same check for a host not saved yet (the "Add host" form). */
  probe: invoke(HostInput, CheckResult),
  /**
   * Trust a host key the backend has just been shown by a check/probe. The renderer names the
   * fingerprint it displayed; the backend only pins it if it is the key it actually saw.
   */
  acceptHostKey: invoke(
    z.object({ hostPattern: z.string().min(1).max(300), fingerprint: z.string().min(1).max(200) }),
    z.object({ accepted: z.boolean() }),
  ),
  /** Hosts found in an OpenSSH client config (default ~/.ssh/config), ready to add. */
  importSshConfig: invoke(
    z.object({ path: z.string().max(4096).optional() }).default({}),
    z.array(HostInput.extend({ alias: z.string() })),
  ),
  /** The local engine socket if one answers, offered by default in the UI. */
  discoverLocal: invoke(Empty, z.object({ socketPath: z.string(), reachable: z.boolean(), alreadyAdded: z.boolean() })),
  onChanged: event(z.object({ hostId: z.string().optional() })),
} as const;
