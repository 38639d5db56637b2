/**
 * Entry of the Hindsight agent (the `hindsight-agent` container; scripts/build-agent.sh bundles it
 * into dist/agent/agent.cjs). Everything it does is in electron/core/agent.
 */
import { AGENT_STATE_DIR } from '../core/agent/agent-names.js';
import { runAgentCli } from '../core/agent/agent-cli.js';
import { containerInstance, lockOwnerPrefix } from '../core/agent/instance.js';

// Locks this process takes in repositories name this container run (see instance.ts).
process.env.HINDSIGHT_LOCK_OWNER = lockOwnerPrefix(process.env.HINDSIGHT_WRITER || 'agent', containerInstance());

const readStdin = async () => {
  const parts: Buffer[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) parts.push(chunk);
  return Buffer.concat(parts).toString('utf8');
};

runAgentCli(process.argv.slice(2), {
  stateDir: process.env.HINDSIGHT_AGENT_STATE ?? AGENT_STATE_DIR,
  version: process.env.HINDSIGHT_AGENT_VERSION ?? 'dev',
  stdin: readStdin,
  stdinStream: () => process.stdin as AsyncIterable<Buffer>,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`hindsight-agent: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
