import { useState } from 'react';
import { CheckCircle2, RefreshCw } from 'lucide-react';
import type { Host } from '../../shared/contract/index.js';
import { Button, ErrorBanner, Spinner } from '../components';
import { errorDetail, toErrorInfo, type ErrorInfo } from '../app/errors';
import { formatTime } from '../app/format';
import { requireClient } from '../app/useConnectionStore';
import { explainFailure, targetOf } from './checkSteps';
import { HostKeyPrompt } from './HostKeyPrompt';
import { useHostsStore } from './useHostsStore';

/** The host page's line about the connection: fine (version, latency) or what is wrong and how to fix it. */
export function HostConnectionStatus({ host }: { host: Host }) {
  const check = useHostsStore((s) => s.checks[host.id]);
  const recheck = useHostsStore((s) => s.check);
  const [trusting, setTrusting] = useState(false);
  const [trustError, setTrustError] = useState<ErrorInfo | null>(null);
  const target = targetOf(host.connection);
  const again = (
    <Button size="sm" icon={<RefreshCw size={12} />} onClick={() => void recheck(host.id)}>
      Check again
    </Button>
  );

  if (!check || check.state === 'checking') {
    return (
      <div className="conn-status">
        <Spinner size={12} /> Checking the connection…
      </div>
    );
  }
  if (check.state === 'error') {
    return (
      <ErrorBanner title={`Could not check ${host.name}`} detail={errorDetail(check.error)} actions={again}>
        {check.error.message}
      </ErrorBanner>
    );
  }
  const r = check.result;
  if (r.ok) {
    return (
      <div className="conn-status conn-ok" role="status">
        <CheckCircle2 size={14} aria-hidden />
        <span>
          Connected · Docker <strong>{r.dockerVersion}</strong> · {Math.round(r.latencyMs)} ms · checked {formatTime(check.at)}
        </span>
        <Button size="sm" variant="ghost" icon={<RefreshCw size={12} />} onClick={() => void recheck(host.id)}>
          Check again
        </Button>
      </div>
    );
  }
  if (r.step === 'hostkey' && r.hostKey) {
    const hk = r.hostKey;
    const trust = async () => {
      setTrusting(true);
      setTrustError(null);
      try {
        const { accepted } = await requireClient().hosts.acceptHostKey({ hostPattern: hk.hostPattern, fingerprint: hk.fingerprint });
        if (!accepted) setTrustError({ code: 'HOSTKEY_CHANGED', message: 'The server no longer shows that key. Check again.' });
        await recheck(host.id);
      } catch (e) {
        setTrustError(toErrorInfo(e));
      } finally {
        setTrusting(false);
      }
    };
    return (
      <>
        <HostKeyPrompt hostKey={hk} trusting={trusting} onTrust={() => void trust()} />
        {trustError && <ErrorBanner title="The host key was not trusted" detail={errorDetail(trustError)}>{trustError.message}</ErrorBanner>}
      </>
    );
  }
  const { title, advice } = explainFailure(r, target);
  return (
    <ErrorBanner title={title} detail={`${r.code} (step: ${r.step})\n${r.message}`} actions={again}>
      {advice}
    </ErrorBanner>
  );
}
