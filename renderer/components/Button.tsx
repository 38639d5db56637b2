import type { ButtonHTMLAttributes, ReactNode } from 'react';
import { cx } from './cx';
import { Spinner } from './Spinner';

export type ButtonVariant = 'primary' | 'secondary' | 'danger' | 'ghost';

interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: ButtonVariant;
  size?: 'sm' | 'md';
  icon?: ReactNode;
  /** Shows a spinner in place of the icon and blocks further clicks while an action runs. */
  pending?: boolean;
}

export function Button({ variant = 'secondary', size = 'md', icon, pending, className, children, disabled, type, ...rest }: ButtonProps) {
  return (
    <button
      type={type ?? 'button'}
      className={cx('btn', `btn-${variant}`, size === 'sm' && 'btn-sm', className)}
      disabled={disabled || pending}
      aria-busy={pending || undefined}
      {...rest}
    >
      {pending ? <Spinner size={size === 'sm' ? 12 : 14} /> : icon}
      {children != null && <span>{children}</span>}
    </button>
  );
}

interface IconButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  /** Required: an icon-only button must still say what it does (screen readers, tooltips, tests). */
  label: string;
  icon: ReactNode;
  size?: 'sm' | 'md';
  pending?: boolean;
  variant?: 'ghost' | 'secondary';
}

export function IconButton({ label, icon, size = 'md', pending, variant = 'ghost', className, disabled, ...rest }: IconButtonProps) {
  return (
    <button
      type="button"
      aria-label={label}
      title={label}
      className={cx('icon-btn', `btn-${variant}`, size === 'sm' && 'icon-btn-sm', className)}
      disabled={disabled || pending}
      aria-busy={pending || undefined}
      {...rest}
    >
      {pending ? <Spinner size={12} /> : icon}
    </button>
  );
}
