import { CheckCircle2, XCircle } from 'lucide-react';
import type { SourceCheck } from '../../shared/contract/index.js';
import { Badge } from '../components';

/**
 * What the verification compared, per source: each check (checksum, file count, row counts…) with
 * the manifest's figure next to what was found, so a failure says exactly what differs.
 */
export function VerificationReport({ checks }: { checks: SourceCheck[] }) {
  if (checks.length === 0) return <p className="text-muted">No verification was recorded for this operation.</p>;
  return (
    <div className="verify-report" data-testid="verification-report">
      {checks.map((s) => (
        <section key={`${s.source}→${s.target}`} className="verify-source" aria-label={`Verification of ${s.source}`}>
          <header className="verify-source-header">
            {s.ok ? <CheckCircle2 size={16} className="verify-ok" aria-hidden /> : <XCircle size={16} className="verify-fail" aria-hidden />}
            <span className="verify-source-name">{s.source}</span>
            <span className="text-faint">→ {s.target}</span>
            <Badge tone={s.ok ? 'success' : 'danger'} className="verify-badge">
              {s.ok ? 'passed' : 'failed'}
            </Badge>
          </header>
          <table className="table verify-table">
            <thead>
              <tr>
                <th scope="col">Check</th>
                <th scope="col">Expected (manifest)</th>
                <th scope="col">Found</th>
                <th scope="col" className="align-right">
                  Result
                </th>
              </tr>
            </thead>
            <tbody>
              {s.checks.map((c) => (
                <tr key={c.name} className={c.ok ? undefined : 'verify-row-fail'}>
                  <td>{c.name}</td>
                  <td className="mono" title={c.expected}>
                    {c.expected}
                  </td>
                  <td className="mono" title={c.actual}>
                    {c.actual}
                  </td>
                  <td className="align-right">{c.ok ? <span className="verify-ok">ok</span> : <span className="verify-fail">differs</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </div>
  );
}
