/**
 * `hindsight agent install|status|upgrade|remove <host> [--json]`: the agent on a host, through the
 * typed client like every command. Exit codes: 0 done, 1 usage / unknown host / not installed, 2 the
 * task failed (as backups).
 */
import type { Command } from 'commander';
import type { AgentStatus } from '../../shared/contract/agent.js';
import { RpcError } from '../../shared/contract/errors.js';
import type { RpcClient } from '../../shared/rpc/index.js';
import { followTask, reportTaskFailure, taskFailedCode, type TaskRunDeps } from './backup-commands.js';
import { EXIT, type Output } from './hosts-commands.js';
import { formatTable } from './table.js';

export function describeAgent(hostName: string, s: AgentStatus): string {
  if (!s.installed) return `${hostName}: no agent installed${s.bundledVersion ? ` (this console carries ${s.bundledVersion}: hindsight agent install ${hostName})` : ''}.`;
  const lines = [
    `${hostName}: agent ${s.version ?? '?'} — container ${s.state}${s.report ? `, scheduler ${s.report.daemon.alive ? 'running' : 'NOT running'}` : ''}`,
    `  signing key ${s.keyId ?? '?'} ${s.keyPinned ? `(trusted for ${hostName} only)` : '(NOT trusted by this console: run hindsight agent install again)'}`,
  ];
  if (s.upgradeAvailable) lines.push(`  upgrade available: ${s.bundledVersion} (hindsight agent upgrade ${hostName})`);
  if (s.problem) lines.push(`  problem: ${s.problem}`);
  if (s.report?.plans.length) {
    lines.push(
      formatTable(
        ['  PLAN', 'NEXT RUN', 'LAST RUN', 'RESULT'],
        s.report.plans.map((p) => [
          `  ${p.name}${p.paused ? ' (paused)' : ''}${p.running ? ' (running)' : ''}`,
          p.nextRun ?? '—',
          p.lastAttempt?.at ?? '—',
          p.lastAttempt ? `${p.lastAttempt.result}${p.lastAttempt.error ? `: ${p.lastAttempt.error.slice(0, 80)}` : ''}` : '—',
        ]),
      ),
    );
  } else if (s.report) lines.push('  no plans for this host yet');
  return lines.join('\n');
}

export function registerAgentCommands(program: Command, run: (fn: (client: RpcClient) => Promise<number>) => Promise<void>, output: Output, taskDeps: () => TaskRunDeps): void {
  const agent = program.command('agent').description('the Hindsight agent on a host: runs its plans on schedule and moves its data directly');
  const hostIdOf = async (c: RpcClient, name: string) => {
    const hosts = await c.hosts.list();
    const h = hosts.find((x) => x.id === name) ?? hosts.find((x) => x.name === name);
    if (!h) throw new RpcError('NOT_FOUND', `There is no host "${name}" (known: ${hosts.map((x) => x.name).join(', ') || 'none'}).`);
    return h;
  };
  agent
    .command('status <host>')
    .description('is an agent installed, which version, its plans with their last and next runs')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { json?: boolean }) =>
      run(async (c) => {
        const host = await hostIdOf(c, name);
        const s = await c.agent.status({ hostId: host.id });
        output.out(o.json ? JSON.stringify(s, null, 2) : describeAgent(host.name, s));
        return EXIT.ok;
      }),
    );
  for (const [cmd, what] of [
    ['install', 'load the agent image into the host\'s engine (over SSH), start it, trust its key for that host, send it the host\'s plans'],
    ['upgrade', "replace the host's agent with this console's build; its plans, key and history stay"],
  ] as const) {
    agent
      .command(`${cmd} <host>`)
      .description(what)
      .option('--json', 'print JSON')
      .action(async (name: string, o: { json?: boolean }) =>
        run(async (c) => {
          const host = await hostIdOf(c, name);
          const outcome = await followTask(c, taskDeps(), () => (cmd === 'install' ? c.agent.install({ hostId: host.id }) : c.agent.upgrade({ hostId: host.id })));
          if (!outcome.ok) return reportTaskFailure(output, outcome, `agent ${cmd} on ${host.name}`, o.json, taskFailedCode(outcome));
          output.out(o.json ? JSON.stringify(outcome.result, null, 2) : describeAgent(host.name, outcome.result));
          return EXIT.ok;
        }),
      );
  }
  agent
    .command('remove <host>')
    .description('stop and remove the agent container (its state volume stays unless --purge)')
    .option('--purge', 'also delete its state: plans, signing key, journals')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { purge?: boolean; json?: boolean }) =>
      run(async (c) => {
        const host = await hostIdOf(c, name);
        const outcome = await followTask(c, taskDeps(), () => c.agent.remove({ hostId: host.id, purge: !!o.purge }));
        if (!outcome.ok) return reportTaskFailure(output, outcome, `agent remove on ${host.name}`, o.json, taskFailedCode(outcome));
        const r = outcome.result;
        output.out(o.json ? JSON.stringify(r) : r.removed ? `Removed the agent from ${host.name}${r.stateRemoved ? ' and its state' : ' (its state volume stays: --purge deletes it)'}.` : `${host.name} had no agent.`);
        return EXIT.ok;
      }),
    );

}
