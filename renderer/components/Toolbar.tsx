import type { ReactNode } from 'react';
import { cx } from './cx';

/** A horizontal row of controls; `aria-label` names it for screen readers. */
export function Toolbar({ label, children, className }: { label: string; children: ReactNode; className?: string }) {
  return (
    <div role="toolbar" aria-label={label} className={cx('toolbar', className)}>
      {children}
    </div>
  );
}

/** Pushes the following toolbar items to the right. */
export function ToolbarSpacer() {
  return <span className="toolbar-spacer" aria-hidden />;
}
