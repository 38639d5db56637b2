import { ShieldAlert, ShieldCheck } from 'lucide-react';
import type { SnapshotTrust } from '../../shared/contract/index.js';

/** Who signed a snapshot: quiet when a trusted writer did, a warning (with why) when not. */
export function TrustLine({ trust }: { trust: SnapshotTrust | null }) {
  if (!trust) return null;
  if (trust.status === 'trusted') {
    return (
      <p className="trust-line" data-testid="snapshot-trust">
        <ShieldCheck size={14} aria-hidden /> {trust.message}
      </p>
    );
  }
  return (
    <p className="trust-line trust-line-warning" data-testid="snapshot-trust" role="note">
      <ShieldAlert size={14} aria-hidden /> {trust.message} It can be restored only after you accept it (restore wizard, or --allow-unsigned).
    </p>
  );
}
