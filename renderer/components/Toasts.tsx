import { CheckCircle2, Info, X, XCircle } from 'lucide-react';
import { cx } from './cx';
import { IconButton } from './Button';

export interface ToastItem {
  id: number;
  tone: 'success' | 'danger' | 'info';
  title: string;
  message?: string;
}

const icons = { success: CheckCircle2, danger: XCircle, info: Info };

/** Presentational toast stack; the app's useToastStore feeds it. */
export function Toasts({ toasts, onDismiss }: { toasts: ToastItem[]; onDismiss: (id: number) => void }) {
  return (
    <div className="toasts" aria-live="polite" aria-label="Notifications" role="region">
      {toasts.map((t) => {
        const Icon = icons[t.tone];
        return (
          <div key={t.id} className={cx('toast', `toast-${t.tone}`)} role={t.tone === 'danger' ? 'alert' : 'status'}>
            <Icon size={18} className="toast-icon" aria-hidden />
            <div className="toast-content">
              <div className="toast-title">{t.title}</div>
              {t.message && <div className="toast-message">{t.message}</div>}
            </div>
            <IconButton label="Dismiss notification" icon={<X size={14} />} size="sm" onClick={() => onDismiss(t.id)} />
          </div>
        );
      })}
    </div>
  );
}
