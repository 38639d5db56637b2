import { cx } from './cx';

/** A small indeterminate spinner. Decorative unless given a label. */
export function Spinner({ size = 14, label, className }: { size?: number; label?: string; className?: string }) {
  return (
    <span
      className={cx('spinner', className)}
      style={{ width: size, height: size }}
      role={label ? 'status' : undefined}
      aria-label={label}
      aria-hidden={label ? undefined : true}
    />
  );
}
