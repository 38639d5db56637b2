import type { Container, ContainerState } from '../../shared/contract/index.js';
import { StatusPill, type Tone } from '../components';

const STATE_TONE: Record<ContainerState, Tone> = {
  running: 'success',
  exited: 'neutral',
  created: 'neutral',
  paused: 'warning',
  restarting: 'warning',
  removing: 'warning',
  dead: 'danger',
};
const HEALTH_TONE = { healthy: 'success', unhealthy: 'danger', starting: 'warning' } as const;

export function StatePill({ container }: { container: Container }) {
  return (
    <StatusPill tone={STATE_TONE[container.state]} testId={`state-${container.name}`}>
      {container.state}
    </StatusPill>
  );
}

export function HealthPill({ health }: { health: Container['health'] }) {
  if (!health) return null;
  return <StatusPill tone={HEALTH_TONE[health]}>{health}</StatusPill>;
}
