/** A thin bar; `fraction` null means the amount of work is unknown (indeterminate). */
export function ProgressBar({ fraction, label }: { fraction: number | null; label: string }) {
  const pct = fraction == null ? undefined : Math.round(fraction * 100);
  return (
    <div
      className={fraction == null ? 'progress progress-indeterminate' : 'progress'}
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
