/**
 * A thin bar; `fraction` null means the amount of work is unknown (indeterminate). `tone` colours a
 * bar whose work ended badly (a rolled-back restore must not look like a blue 100 %).
 */
export function ProgressBar({ fraction, label, tone }: { fraction: number | null; label: string; tone?: 'success' | 'warning' | 'danger' | undefined }) {
  const pct = fraction == null ? undefined : Math.round(fraction * 100);
  return (
    <div
      className={['progress', fraction == null && 'progress-indeterminate', tone && `progress-${tone}`].filter(Boolean).join(' ')}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
    >
      <div className="progress-fill" style={pct == null ? undefined : { width: `${pct}%` }} />
    </div>
  );
}
