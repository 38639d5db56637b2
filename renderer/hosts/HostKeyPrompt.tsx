import { ShieldAlert, ShieldQuestion } from 'lucide-react';
import type { HostKeyInfo } from '../../shared/contract/index.js';
import { Button } from '../components';

interface Props {
  hostKey: HostKeyInfo & { status: 'unknown' | 'changed' };
  onTrust?: () => void;
  trusting?: boolean;
}

/**
 * First contact with an SSH server: show the key's fingerprint big enough to compare with what
 * the machine's admin reads out, and ask. A CHANGED key is refused outright — there is no button,
 * because clicking through a possible man-in-the-middle is exactly the mistake to prevent.
 */
export function HostKeyPrompt({ hostKey, onTrust, trusting }: Props) {
  const changed = hostKey.status === 'changed';
  return (
    <section className={changed ? 'hostkey hostkey-changed' : 'hostkey'} aria-label={changed ? 'Host key changed' : 'Unknown host key'} role={changed ? 'alert' : undefined}>
      <header className="hostkey-header">
        {changed ? <ShieldAlert size={20} aria-hidden /> : <ShieldQuestion size={20} aria-hidden />}
        <h3>{changed ? 'Host key changed — connection refused' : `First connection to ${hostKey.hostPattern}`}</h3>
      </header>
      {changed ? (
        <p>
          The server at <strong>{hostKey.hostPattern}</strong> showed a different key from the one trusted before. The machine may have been
          reinstalled — or someone may be intercepting the connection (man-in-the-middle). Hindsight will not connect. If the change is expected,
          confirm the new fingerprint with the machine's administrator, then remove the old entry from Hindsight's <code>known_hosts</code>.
        </p>
      ) : (
        <p>
          This server is not in Hindsight's known hosts yet. Compare the fingerprint with the one the machine's administrator gives you (on the
          server: <code>ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</code>).
        </p>
      )}
      <dl className="hostkey-facts">
        <dt>Key type</dt>
        <dd data-testid="hostkey-type">{hostKey.keyType}</dd>
        <dt>Fingerprint</dt>
        <dd className="hostkey-fingerprint" data-testid="hostkey-fingerprint">
          {hostKey.fingerprint}
        </dd>
      </dl>
      {!changed && onTrust && (
        <div className="hostkey-question">
          <span>Trust this host key?</span>
          <Button variant="primary" onClick={onTrust} pending={trusting}>
            Trust this host key
          </Button>
        </div>
      )}
    </section>
  );
}
