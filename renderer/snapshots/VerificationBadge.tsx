import { ShieldAlert, ShieldCheck, ShieldQuestion } from 'lucide-react';
import type { SnapshotSummary } from '../../shared/contract/index.js';
import { Badge } from '../components';

/** The newest verification of a snapshot: passed, failed (with the error as tooltip), or never. */
export function VerificationBadge({ verification, compact }: { verification: SnapshotSummary['verification']; compact?: boolean }) {
  if (!verification) {
    return compact ? null : (
      <Badge tone="neutral" icon={<ShieldQuestion size={12} />} title="No verification recorded for this snapshot">
        never verified
      </Badge>
    );
  }
  const when = new Date(verification.at).toLocaleString();
  return verification.ok ? (
    <Badge tone="success" icon={<ShieldCheck size={12} />} title={`Verified on ${verification.hostName}, ${when}`}>
      verified
    </Badge>
  ) : (
    <Badge tone="danger" icon={<ShieldAlert size={12} />} title={`Verification failed on ${verification.hostName}, ${when}${verification.error ? `: ${verification.error}` : ''}`}>
      verify failed
    </Badge>
  );
}
