/**
 * Entry of the Hindsight agent (the `hindsight-agent` container; scripts/build-agent.sh bundles it
 * into dist/agent/agent.cjs, started by the exec client, exec-client.ts). Everything it does is in
 * electron/core/agent; `--warm-worker` is this process waiting to run one command (warm-worker.ts).
 */
import { AGENT_STATE_DIR } from '../core/agent/agent-names.js';
import { runAgentCli, type AgentCliEnv } from '../core/agent/agent-cli.js';
import { containerInstance, lockOwnerPrefix } from '../core/agent/instance.js';
import { keepWarmWorker, serveOneCommand } from './warm-worker.js';
import { WARM_SOCKET, WARM_WORKER_FLAG } from './warm-names.js';

// Locks this process takes in repositories name this container run (see instance.ts).
process.env.HINDSIGHT_LOCK_OWNER = lockOwnerPrefix(process.env.HINDSIGHT_WRITER || 'agent', containerInstance());

const base = { stateDir: process.env.HINDSIGHT_AGENT_STATE ?? AGENT_STATE_DIR, version: process.env.HINDSIGHT_AGENT_VERSION ?? 'dev' };
const socketPath = process.env.HINDSIGHT_WARM_SOCKET || WARM_SOCKET;

let stdinRead = false;
const env: AgentCliEnv = {
  ...base,
  stdinStream: () => {
    stdinRead = true;
    return process.stdin as AsyncIterable<Buffer>;
  },
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  // The scheduler keeps a worker ready for the console's next command (none when told not to).
  whileServing: () => (process.env.HINDSIGHT_NO_WARM_WORKER ? () => undefined : keepWarmWorker().stop),
};

const argv = process.argv.slice(2);
if (argv[0] === WARM_WORKER_FLAG) serveOneCommand(socketPath, base, runAgentCli);
else
  runAgentCli(argv, env)
    .then(
      (code) => {
        process.exitCode = code;
      },
      (e: unknown) => {
        process.stderr.write(`hindsight-agent: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exitCode = 1;
      },
    )
    // A command cancelled while it waited for input (restore-source's request, on SIGTERM) is done:
    // stdin still open — the console's exec, a FIFO — must not keep its process alive.
    .finally(() => {
      if (stdinRead) process.stdin.destroy();
    });
