import type { ReactNode } from 'react';
import { AlertTriangle, XCircle } from 'lucide-react';
import { cx } from './cx';

interface ErrorBannerProps {
  title: string;
  /** Plain words: what happened and what to do. */
  children?: ReactNode;
  /** Technical detail (error code, engine message) kept one click away. */
  detail?: string | null;
  actions?: ReactNode;
  tone?: 'danger' | 'warning';
}

export function ErrorBanner({ title, children, detail, actions, tone = 'danger' }: ErrorBannerProps) {
  const Icon = tone === 'danger' ? XCircle : AlertTriangle;
  return (
    <div className={cx('banner', `banner-${tone}`)} role="alert">
      <Icon className="banner-icon" size={18} aria-hidden />
      <div className="banner-content">
        <div className="banner-title">{title}</div>
        {children && <div className="banner-text">{children}</div>}
        {detail && (
          <details className="banner-details">
            <summary>Details</summary>
            <pre>{detail}</pre>
          </details>
        )}
      </div>
      {actions && <div className="banner-actions">{actions}</div>}
    </div>
  );
}
