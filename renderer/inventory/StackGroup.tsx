import { DatabaseBackup, Layers, Play, RotateCw, Square } from 'lucide-react';
import type { Container, Host, Stack } from '../../shared/contract/index.js';
import { Button, ProgressBar } from '../components';
import { useBackupDialogStore } from '../backups/useBackupDialogStore';
import { ContainerRow } from './ContainerRow';
import { containerKey, useServicesStore } from './useServicesStore';

const COLS = 5;

/** A compose project (or the loose containers) as a <tbody>: header row with stack actions, then its containers. */
export function StackGroup({ host, stack, containers }: { host: Host; stack: Stack; containers: Container[] }) {
  const project = stack.name;
  const run = useServicesStore((s) => (project ? s.stacks[containerKey(host.id, project)] : undefined));
  const request = useServicesStore((s) => s.request);
  const openBackup = useBackupDialogStore((s) => s.open);
  const running = containers.filter((c) => c.state === 'running').length;
  const act = (action: 'start' | 'stop' | 'restart') => project && request({ kind: 'stack', host, project, action });

  return (
    <tbody aria-label={project ? `Stack ${project}` : 'Containers without a stack'}>
      <tr className="group-row">
        <th colSpan={COLS} scope="rowgroup">
          <div className="group-header">
            <Layers size={14} aria-hidden className="group-icon" />
            <span className="group-name">{project ?? 'Standalone containers'}</span>
            <span className="group-count">
              {running}/{containers.length} running
            </span>
            {run && (
              <div className="group-progress">
                <ProgressBar fraction={run.fraction} label={`${run.action} stack ${project}`} />
                <span className="group-progress-text">{run.message}</span>
              </div>
            )}
            {project && (
              <div className="row-actions group-actions" role="group" aria-label={`Stack ${project} actions`}>
                <Button size="sm" variant="ghost" icon={<DatabaseBackup size={12} />} onClick={() => openBackup({ host, stack: project })} aria-label={`Back up stack ${project}`}>
                  Back up…
                </Button>
                <Button size="sm" variant="ghost" icon={<Play size={12} />} disabled={!!run || running === containers.length} pending={run?.action === 'start'} onClick={() => act('start')} aria-label={`Start stack ${project}`}>
                  Start all
                </Button>
                <Button size="sm" variant="ghost" icon={<Square size={12} />} disabled={!!run || running === 0} pending={run?.action === 'stop'} onClick={() => act('stop')} aria-label={`Stop stack ${project}`}>
                  Stop all
                </Button>
                <Button size="sm" variant="ghost" icon={<RotateCw size={12} />} disabled={!!run} pending={run?.action === 'restart'} onClick={() => act('restart')} aria-label={`Restart stack ${project}`}>
                  Restart all
                </Button>
              </div>
            )}
          </div>
        </th>
      </tr>
      {containers.map((c) => (
        <ContainerRow key={c.id} host={host} container={c} stackBusy={!!run} />
      ))}
    </tbody>
  );
}
