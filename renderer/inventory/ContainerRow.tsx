import { Play, RotateCw, ScrollText, Square } from 'lucide-react';
import type { Container, Host } from '../../shared/contract/index.js';
import { Button } from '../components';
import { useLogsStore } from '../logs/useLogsStore';
import { HealthPill, StatePill } from './pills';
import { containerKey, useServicesStore } from './useServicesStore';

/** One container: what it is, how it is doing, and what you can do to it. */
export function ContainerRow({ host, container: c, stackBusy }: { host: Host; container: Container; stackBusy: boolean }) {
  const pending = useServicesStore((s) => s.pending[containerKey(host.id, c.id)]);
  const request = useServicesStore((s) => s.request);
  const openLogs = useLogsStore((s) => s.open);
  const logsOpen = useLogsStore((s) => s.target?.hostId === host.id && s.target.containerId === c.id);
  const up = c.state === 'running' || c.state === 'restarting' || c.state === 'paused';
  const busy = !!pending || stackBusy;
  const act = (action: 'start' | 'stop' | 'restart') => request({ kind: 'container', host, containerId: c.id, name: c.name, action });

  return (
    <tr aria-label={c.name} className={logsOpen ? 'is-selected' : undefined}>
      <td>
        <div className="cell-name">{c.name}</div>
        {c.service && c.service !== c.name && <div className="cell-sub">service {c.service}</div>}
      </td>
      <td>
        <div className="cell-pills">
          <StatePill container={c} />
          <HealthPill health={c.health} />
        </div>
      </td>
      <td className="mono cell-image" title={c.image}>
        {c.image}
      </td>
      <td className="cell-status" title={c.status}>
        {c.status}
      </td>
      <td className="align-right">
        <div className="row-actions">
          {up ? (
            <Button size="sm" icon={<Square size={12} />} pending={pending === 'stop'} disabled={busy} onClick={() => act('stop')} aria-label={`Stop ${c.name}`}>
              Stop
            </Button>
          ) : (
            <Button size="sm" icon={<Play size={12} />} pending={pending === 'start'} disabled={busy} onClick={() => act('start')} aria-label={`Start ${c.name}`}>
              Start
            </Button>
          )}
          <Button size="sm" icon={<RotateCw size={12} />} pending={pending === 'restart'} disabled={busy || !up} onClick={() => act('restart')} aria-label={`Restart ${c.name}`}>
            Restart
          </Button>
          <Button
            size="sm"
            variant="ghost"
            icon={<ScrollText size={12} />}
            onClick={() => openLogs({ hostId: host.id, hostName: host.name, containerId: c.id, containerName: c.name })}
            aria-label={`Logs of ${c.name}`}
          >
            Logs
          </Button>
        </div>
      </td>
    </tr>
  );
}
