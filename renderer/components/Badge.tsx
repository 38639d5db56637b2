import type { ReactNode } from 'react';
import { cx } from './cx';

export type Tone = 'neutral' | 'success' | 'warning' | 'danger' | 'info' | 'purple' | 'accent';

/** A compact label; `tone` picks the colour from the design tokens. */
export function Badge({ tone = 'neutral', children, icon, className, title }: { tone?: Tone; children: ReactNode; icon?: ReactNode; className?: string; title?: string }) {
  return (
    <span className={cx('badge', `tone-${tone}`, className)} title={title}>
      {icon}
      {children}
    </span>
  );
}

/** A pill with a leading dot, for states ("running", "exited", "healthy"). */
export function StatusPill({ tone, children, title, testId }: { tone: Tone; children: ReactNode; title?: string; testId?: string }) {
  return (
    <span className={cx('pill', `tone-${tone}`)} title={title} data-testid={testId}>
      <span className="pill-dot" aria-hidden />
      {children}
    </span>
  );
}

/** A bare status dot (sidebar). `label` is announced to screen readers and shown as a tooltip. */
export function StatusDot({ tone, label, pulsing }: { tone: Tone; label: string; pulsing?: boolean }) {
  return <span className={cx('status-dot', `tone-${tone}`, pulsing && 'status-dot-pulse')} role="img" aria-label={label} title={label} />;
}
