/**
 * The `hindsight` command line. It talks to the core exactly like the UI does: through the router
 * (validation, error mapping) over the in-process transport, with the typed client.
 */
import { Command, CommanderError } from 'commander';
import { RpcError } from '../../shared/contract/index.js';
import { createClient, type RpcClient } from '../../shared/rpc/index.js';
import type { Backend, BackendOptions } from '../core/backend-types.js';
import { createInProcessTransport } from '../core/rpc/in-process.js';
import { createRouter } from '../core/rpc/router.js';
import type { RpcLogger } from '../core/rpc/types.js';
import { checkHost, EXIT, listHosts, type Output } from './hosts-commands.js';
import {
  addRepository,
  checkRepository,
  initRepositoryCommand,
  listRepositories,
  removeRepository,
  repositoryInputOf,
  SECRET_ENV,
  type AddOptions,
} from './repo-commands.js';
import { registerRestoreCommands } from './restore-commands.js';
import { processTaskRunDeps, registerBackupCommands, registerSetsCommands, type TaskRunDeps } from './backup-commands.js';
import { registerSnapshotsCommands } from './snapshots-commands.js';
import { registerPlansCommands } from './plans-commands.js';
import { registerAgentCommands } from './agent-commands.js';
import { registerPitrCommands } from './pitr-commands.js';

export interface CliDependencies {
  createBackend(options: BackendOptions): Promise<Backend>;
  configDir: string;
  appVersion: string;
  output: Output;
  /** Where `repo add` reads secrets from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Task progress output and Ctrl-C (default: stderr and SIGINT); tests inject them. */
  tasks?: Partial<TaskRunDeps>;
}

/** Runs one command line (arguments without "node script"); resolves to the exit code. */
export async function runCli(args: string[], deps: CliDependencies): Promise<number> {
  let exitCode: number = EXIT.ok;
  const withClient = (fn: (client: RpcClient) => Promise<number>) => async () => {
    exitCode = await withSession(deps, fn);
  };

  const program = new Command('hindsight')
    .description('Back up and restore Docker-hosted services across your machines')
    .version(deps.appVersion)
    .exitOverride()
    .configureOutput({ writeOut: (s) => deps.output.out(s.trimEnd()), writeErr: (s) => deps.output.err(s.trimEnd()) });
  const hosts = program.command('hosts').description('the Docker hosts Hindsight knows');
  hosts
    .command('list')
    .description('list the saved hosts')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => withClient((c) => listHosts(c, deps.output, !!options.json))());
  hosts
    .command('check <name>')
    .description('connect to a host: Docker version and latency, or the step that failed')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }) => withClient((c) => checkHost(c, deps.output, name, !!options.json))());

  const repo = program.command('repo').description('the snapshot repositories: S3 buckets, SFTP servers, local folders');
  repo
    .command('list')
    .description('list the repositories (the built-in "local" one first)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => withClient((c) => listRepositories(c, deps.output, !!options.json))());
  repo
    .command('init <name>')
    .description('make an empty location a Hindsight repository (exit 2 if it is not empty or cannot be reached)')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }) => withClient((c) => initRepositoryCommand(c, deps.output, name, !!options.json))());
  repo
    .command('check <name>')
    .description('reach a repository and read its format marker, or show the step that failed (exit 2)')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }) => withClient((c) => checkRepository(c, deps.output, name, !!options.json))());
  repo
    .command('add <name> <location>')
    .description('save a repository: s3://bucket/prefix, sftp://user@host[:port]/path, or a local directory')
    .option('--endpoint <url>', 'S3: a custom endpoint (MinIO, Ceph, …)')
    .option('--region <region>', 'S3: the region (default us-east-1)')
    .option('--path-style', 'S3: path-style addressing (most self-hosted servers)')
    .option('--access-key-id <id>', `S3: an access key id; its secret is read from $${SECRET_ENV.secretAccessKey}`)
    .option('--profile <name>', 'S3: an AWS profile (without --access-key-id or --profile: the AWS_* environment)')
    .option('--key <file>', `SFTP: a private key file (default: the ssh-agent); a passphrase is read from $${SECRET_ENV.keyPassphrase}`)
    .option('--json', 'print JSON')
    .action(async (name: string, location: string, options: AddOptions) =>
      withClient((c) => addRepository(c, deps.output, repositoryInputOf(name, location, options, deps.env ?? process.env), !!options.json))(),
    );
  repo
    .command('remove <name>')
    .description('forget a saved repository (its storage and snapshots are left as they are)')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }) => withClient((c) => removeRepository(c, deps.output, name, !!options.json))());

  registerRestoreCommands(program, (fn) => withClient(fn)(), deps.output);
  registerBackupCommands(program, (fn) => withClient(fn)(), deps.output, deps.tasks);
  registerSetsCommands(program, (fn) => withClient(fn)(), deps.output, deps.env ?? process.env);
  registerSnapshotsCommands(program, (fn) => withClient(fn)(), deps.output);
  registerPlansCommands(program, (fn) => withClient(fn)(), deps.output, () => ({ ...processTaskRunDeps(deps.output), ...deps.tasks }));
  registerAgentCommands(program, (fn) => withClient(fn)(), deps.output, () => ({ ...processTaskRunDeps(deps.output), ...deps.tasks }));
  registerPitrCommands(program, (fn) => withClient(fn)(), deps.output, () => ({ ...processTaskRunDeps(deps.output), ...deps.tasks }));

  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version "fail" with exit code 0; usage errors were already printed.
      return error.exitCode === 0 ? EXIT.ok : EXIT.error;
    }
    throw error;
  }
  return exitCode;
}

async function withSession(deps: CliDependencies, fn: (client: RpcClient) => Promise<number>): Promise<number> {
  const backend = await deps.createBackend({ configDir: deps.configDir });
  const logger: RpcLogger = { warn: (m) => deps.output.err(`warning: ${m}`), error: (m) => deps.output.err(`error: ${m}`) };
  const router = createRouter(backend, { mode: 'cli', configDir: deps.configDir, appVersion: deps.appVersion, logger });
  const transport = createInProcessTransport(router);
  const client = createClient(transport);
  try {
    await client.$ready;
    return await fn(client);
  } catch (error) {
    deps.output.err(`hindsight: ${RpcError.is(error) ? `${error.message} (${error.code})` : String(error)}`);
    return EXIT.error;
  } finally {
    transport.close();
    router.dispose();
    await backend.dispose();
  }
}
