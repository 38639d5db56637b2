import { AlertTriangle, CheckCircle2, XCircle } from 'lucide-react';
import { cx } from './cx';

export type CheckStatus = 'pass' | 'warn' | 'fail';

const ICON = { pass: CheckCircle2, warn: AlertTriangle, fail: XCircle } as const;
const WORD = { pass: 'Passed', warn: 'Warning', fail: 'Failed' } as const;

/** The pass / warn / fail mark of a check, coloured and named for screen readers. */
export function CheckStatusIcon({ status, size = 16 }: { status: CheckStatus; size?: number }) {
  const Icon = ICON[status];
  return (
    <span className={cx('check-status-icon', `check-status-${status}`)} role="img" aria-label={WORD[status]} title={WORD[status]}>
      <Icon size={size} aria-hidden />
    </span>
  );
}
