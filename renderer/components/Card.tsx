import type { HTMLAttributes, ReactNode } from 'react';
import { cx } from './cx';

interface CardProps extends Omit<HTMLAttributes<HTMLElement>, 'title'> {
  title?: ReactNode;
  /** Buttons shown at the right of the title row. */
  actions?: ReactNode;
  /** Renders the body without padding (tables that run edge to edge). */
  flush?: boolean;
}

export function Card({ title, actions, flush, className, children, ...rest }: CardProps) {
  return (
    <section className={cx('card', className)} {...rest}>
      {(title || actions) && (
        <header className="card-header">
          {title && <h2 className="card-title">{title}</h2>}
          {actions && <div className="card-actions">{actions}</div>}
        </header>
      )}
      <div className={cx('card-body', flush && 'card-body-flush')}>{children}</div>
    </section>
  );
}
