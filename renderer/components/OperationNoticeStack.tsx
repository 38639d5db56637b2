import { CheckCircle2, X, XCircle } from 'lucide-react';
import { cx } from './cx';
import { IconButton } from './Button';

export interface OperationNoticeItem {
  key: number;
  operationId: string;
  tone: 'success' | 'danger';
  title: string;
  message: string;
  /** Where "Open" goes (the operation's page). */
  href: string;
}

/** "An operation ended" notices with a link to it; top right, apart from the action toasts. */
export function OperationNoticeStack({ notices, onDismiss }: { notices: OperationNoticeItem[]; onDismiss: (key: number) => void }) {
  return (
    <div className="op-notices" role="region" aria-label="Operation notifications" aria-live="polite">
      {notices.map((n) => {
        const Icon = n.tone === 'success' ? CheckCircle2 : XCircle;
        return (
          <div key={n.key} className={cx('toast', 'op-notice', `toast-${n.tone}`)} role={n.tone === 'danger' ? 'alert' : 'status'} data-testid="operation-notice">
            <Icon size={18} className="toast-icon" aria-hidden />
            <div className="toast-content">
              <div className="toast-title">{n.title}</div>
              <div className="toast-message">{n.message}</div>
              <a className="op-link op-notice-link" href={n.href} onClick={() => onDismiss(n.key)}>
                Open the operation
              </a>
            </div>
            <IconButton label="Dismiss notification" icon={<X size={14} />} size="sm" onClick={() => onDismiss(n.key)} />
          </div>
        );
      })}
    </div>
  );
}
