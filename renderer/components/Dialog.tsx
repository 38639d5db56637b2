import { useEffect, useId, useRef, type ReactNode } from 'react';
import { X } from 'lucide-react';
import { cx } from './cx';
import { IconButton } from './Button';

interface DialogProps {
  title: ReactNode;
  description?: ReactNode;
  onClose: () => void;
  children: ReactNode;
  /** Buttons at the bottom right; the primary action goes last. */
  footer?: ReactNode;
  size?: 'sm' | 'md' | 'lg';
  /** While something runs (a save, a probe) Escape and the close button are disabled. */
  busy?: boolean;
}

/**
 * A modal built on the native <dialog>: the browser gives us the focus trap, the top layer and
 * Escape. Mount it to open it, unmount it to close it — React state stays the one source of truth.
 * A click on the backdrop does NOT close it: losing a half-filled host form to a stray click hurts.
 */
export function Dialog({ title, description, onClose, children, footer, size = 'md', busy }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descId = useId();
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;
  const busyRef = useRef(busy);
  busyRef.current = busy;

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (!d.open) d.showModal();
    const onCancel = (e: Event) => {
      e.preventDefault();
      if (!busyRef.current) onCloseRef.current();
    };
    d.addEventListener('cancel', onCancel);
    return () => {
      d.removeEventListener('cancel', onCancel);
      if (d.open) d.close();
    };
  }, []);

  return (
    <dialog ref={ref} className={cx('dialog', `dialog-${size}`)} aria-labelledby={titleId} aria-describedby={description ? descId : undefined}>
      <header className="dialog-header">
        <div>
          <h2 id={titleId} className="dialog-title">{title}</h2>
          {description && <p id={descId} className="dialog-description">{description}</p>}
        </div>
        <IconButton label="Close" icon={<X size={16} />} onClick={onClose} disabled={busy} />
      </header>
      <div className="dialog-body">{children}</div>
      {footer && <footer className="dialog-footer">{footer}</footer>}
    </dialog>
  );
}
