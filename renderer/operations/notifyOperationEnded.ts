import type { OperationSummary } from '../../shared/contract/index.js';
import { isElectron } from '../api/client';
import { formatRoute } from '../app/routes';
import { formatDuration, secondsBetween } from './transferRate';
import { stateLabel } from './operationLabels';
import { useOperationNoticesStore } from './useOperationNoticesStore';

/** Shorter successes are not worth interrupting anyone for; failures always are. */
export const LONG_OPERATION_SECONDS = 5;

/**
 * Tells the user an operation ended: a desktop notification in the Electron app (the HTML
 * Notification API, permitted there by default), an in-page notice in web mode — a browser tab
 * asking for notification permission out of the blue is worse than a notice in the page.
 */
export function notifyOperationEnded(op: OperationSummary): void {
  if (!worthNotifying(op)) return;
  const seconds = secondsBetween(op.startedAt, op.endedAt) ?? 0;
  const ok = op.state === 'succeeded';
  const title = `${op.title}: ${stateLabel(op.state).toLowerCase()}`;
  const message = ok ? `Took ${formatDuration(seconds)} on ${op.targetHostName}.` : (op.error ?? `Ended ${stateLabel(op.state).toLowerCase()} on ${op.targetHostName}.`);
  const href = formatRoute({ page: 'operation', id: op.id });
  if (desktopNotification(title, message, href)) return;
  useOperationNoticesStore.getState().push({ operationId: op.id, tone: ok ? 'success' : 'danger', title, message, href });
}

/** Any operation that did not succeed; a success only when it took long enough to look away. */
export function worthNotifying(op: Pick<OperationSummary, 'state' | 'startedAt' | 'endedAt'>): boolean {
  if (op.state === 'running' || op.state === 'interrupted') return false;
  if (op.state !== 'succeeded') return true;
  return (secondsBetween(op.startedAt, op.endedAt) ?? 0) >= LONG_OPERATION_SECONDS;
}

export function desktopNotification(title: string, body: string, href: string): boolean {
  if (!isElectron() || typeof Notification === 'undefined' || Notification.permission !== 'granted') return false;
  try {
    const n = new Notification(title, { body });
    n.onclick = () => {
      window.focus();
      window.location.hash = href;
    };
    return true;
  } catch {
    return false;
  }
}
