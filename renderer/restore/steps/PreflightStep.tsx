import { useEffect } from 'react';
import { RefreshCw } from 'lucide-react';
import { Button, CheckStatusIcon, ErrorBanner, Spinner } from '../../components';
import { errorDetail } from '../../app/errors';
import { pluralize } from '../../app/format';
import { useRestoreWizardStore } from '../useRestoreWizardStore';
import { inputKey } from '../wizardModel';

/** Step 3: restore.preflight's checks — pass, warn (can go on) or fail (blocks Next) — each with why. */
export function PreflightStep() {
  const { choices, preflight, loadPreflight } = useRestoreWizardStore();
  const key = inputKey(choices);
  const current = preflight.status !== 'idle' && preflight.key === key;

  useEffect(() => {
    // Checked on arrival, and again whenever the choices behind them changed.
    if (!current) void loadPreflight();
  }, [current, loadPreflight]);

  const checks = current && preflight.status === 'ready' ? preflight.value.checks : [];
  const counts = { pass: 0, warn: 0, fail: 0 };
  for (const c of checks) counts[c.status]++;

  return (
    <div className="wizard-stack">
      <div className="wizard-row wizard-row-between">
        <p className="text-muted">Nothing is changed yet: these checks only look at the target and the repository.</p>
        <Button icon={<RefreshCw size={14} />} onClick={() => void loadPreflight()} pending={preflight.status === 'loading'}>
          Check again
        </Button>
      </div>
      {(!current || preflight.status === 'loading') && (
        <div className="loading-row">
          <Spinner /> Checking…
        </div>
      )}
      {current && preflight.status === 'error' && (
        <ErrorBanner title="The checks could not run" detail={errorDetail(preflight.error)}>
          {preflight.error.message}
        </ErrorBanner>
      )}
      {current && preflight.status === 'ready' && (
        <>
          <p className={`preflight-headline tone-${counts.fail ? 'danger' : counts.warn ? 'warning' : 'success'}`} data-testid="preflight-headline">
            {counts.fail
              ? `${pluralize(counts.fail, 'check')} failed — the restore cannot start until ${counts.fail === 1 ? 'it passes' : 'they pass'}.`
              : counts.warn
                ? `All clear, with ${pluralize(counts.warn, 'warning')} to read.`
                : `All ${checks.length} checks passed.`}
          </p>
          <ul className="preflight-list" aria-label="Pre-flight checks">
            {checks.map((c) => (
              <li key={`${c.id}/${c.source ?? ''}`} className={`preflight-check is-${c.status}`} data-status={c.status}>
                <CheckStatusIcon status={c.status} />
                <div>
                  <div className="preflight-title">
                    {c.title}
                    {c.source && <span className="mono text-faint"> · {c.source}</span>}
                  </div>
                  <div className="preflight-detail">{c.detail}</div>
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
