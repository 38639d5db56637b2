import { useId, type InputHTMLAttributes, type KeyboardEvent, type ReactNode, type SelectHTMLAttributes } from 'react';
import { cx } from './cx';

interface FieldFrameProps {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  optional?: boolean;
  className?: string;
  children: ReactNode;
}

/** Label above, control, then the error (if any) or the hint. */
function FieldFrame({ id, label, hint, error, optional, className, children }: FieldFrameProps) {
  return (
    <div className={cx('field', error && 'field-invalid', className)}>
      <label className="field-label" htmlFor={id}>
        {label}
        {optional && <span className="field-optional"> (optional)</span>}
      </label>
      {children}
      {error ? (
        <div className="field-error" id={`${id}-msg`}>{error}</div>
      ) : hint ? (
        <div className="field-hint" id={`${id}-msg`}>{hint}</div>
      ) : null}
    </div>
  );
}

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value'>;

export interface TextFieldProps extends InputProps {
  label: ReactNode;
  value: string;
  onValueChange: (value: string) => void;
  hint?: ReactNode;
  error?: string | null;
  optional?: boolean;
  fieldClassName?: string;
}

export function TextField({ label, value, onValueChange, hint, error, optional, fieldClassName, className, ...rest }: TextFieldProps) {
  const id = useId();
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error} optional={optional} className={fieldClassName}>
      <input
        id={id}
        className={cx('input', className)}
        value={value}
        onChange={(e) => onValueChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error || hint ? `${id}-msg` : undefined}
        spellCheck={false}
        autoComplete="off"
        {...rest}
      />
    </FieldFrame>
  );
}

/** A bare input for toolbars (filter boxes); it must carry an aria-label. */
export function TextInput({ className, ...rest }: InputHTMLAttributes<HTMLInputElement> & { 'aria-label': string }) {
  return <input className={cx('input', className)} spellCheck={false} autoComplete="off" {...rest} />;
}

export interface SelectFieldProps<T extends string> extends Omit<SelectHTMLAttributes<HTMLSelectElement>, 'onChange' | 'value'> {
  label: ReactNode;
  value: T;
  onValueChange: (value: T) => void;
  options: ReadonlyArray<{ value: T; label: string }>;
  hint?: ReactNode;
  fieldClassName?: string;
}

export function SelectField<T extends string>({ label, value, onValueChange, options, hint, fieldClassName, ...rest }: SelectFieldProps<T>) {
  const id = useId();
  return (
    <FieldFrame id={id} label={label} hint={hint} className={fieldClassName}>
      <select id={id} className="input select" value={value} onChange={(e) => onValueChange(e.target.value as T)} {...rest}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

export function Checkbox({ label, description, checked, onCheckedChange, disabled }: { label: ReactNode; description?: ReactNode; checked: boolean; onCheckedChange: (v: boolean) => void; disabled?: boolean }) {
  const id = useId();
  return (
    <div className="checkbox">
      <input id={id} type="checkbox" checked={checked} disabled={disabled} onChange={(e) => onCheckedChange(e.target.checked)} aria-describedby={description ? `${id}-d` : undefined} />
      <div>
        <label htmlFor={id} className="checkbox-label">{label}</label>
        {description && <div className="field-hint" id={`${id}-d`}>{description}</div>}
      </div>
    </div>
  );
}

/** A row of mutually exclusive choices drawn as joined buttons (radio semantics, arrow keys move). */
export function Segmented<T extends string>({ label, value, onValueChange, options, hideLabel }: { label: string; value: T; onValueChange: (v: T) => void; options: ReadonlyArray<{ value: T; label: string; icon?: ReactNode; title?: string }>; hideLabel?: boolean }) {
  const id = useId();
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const i = options.findIndex((o) => o.value === value);
    const next = options[(i + step + options.length) % options.length];
    if (!next) return;
    onValueChange(next.value);
    (e.currentTarget.querySelector(`[data-value="${next.value}"]`) as HTMLElement | null)?.focus();
  };
  return (
    <div className="field">
      {!hideLabel && <div className="field-label" id={id}>{label}</div>}
      <div className="segmented" role="radiogroup" aria-labelledby={hideLabel ? undefined : id} aria-label={hideLabel ? label : undefined} onKeyDown={onKeyDown}>
        {options.map((o) => (
          <button
            key={o.value}
            type="button"
            role="radio"
            data-value={o.value}
            aria-checked={o.value === value}
            aria-label={o.label ? undefined : (o.title ?? o.value)}
            title={o.title}
            // One tab stop for the group, like native radios.
            tabIndex={o.value === value ? 0 : -1}
            className={cx('segmented-item', o.value === value && 'is-active')}
            onClick={() => onValueChange(o.value)}
          >
            {o.icon}
            {o.label && <span>{o.label}</span>}
          </button>
        ))}
      </div>
    </div>
  );
}
