import { useEffect, useMemo, useRef, useState } from 'react';
import { PlugZap } from 'lucide-react';
import type { CheckResult, HostInput } from '../../shared/contract/index.js';
import { Button, Dialog, ErrorBanner } from '../components';
import { errorDetail, toErrorInfo, type ErrorInfo } from '../app/errors';
import { requireClient } from '../app/useConnectionStore';
import { useRouteStore } from '../app/useRouteStore';
import { toast } from '../app/useToastStore';
import { CheckResultView } from './CheckResultView';
import { HostFormFields } from './HostFormFields';
import { HostKeyPrompt } from './HostKeyPrompt';
import { emptyForm, formFromInput, formToInput, type HostForm } from './hostForm';
import { useHostsStore } from './useHostsStore';

type Probe =
  | { state: 'idle' }
  | { state: 'running'; key: string }
  | { state: 'result'; key: string; result: CheckResult }
  | { state: 'error'; key: string; error: ErrorInfo };

/** A probe answers for the settings it was run with; the key tells when the form moved on. */
const probeKey = (input: HostInput) => JSON.stringify([input.connection, input.keyPassphrase ?? '']);

export function AddHostDialog({ prefill, onClose }: { prefill?: HostInput; onClose: () => void }) {
  const [form, setForm] = useState<HostForm>(() => (prefill ? formFromInput(prefill) : emptyForm()));
  const [showErrors, setShowErrors] = useState(false);
  const [probe, setProbe] = useState<Probe>({ state: 'idle' });
  const [trusting, setTrusting] = useState(false);
  const [trustError, setTrustError] = useState<ErrorInfo | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<ErrorInfo | null>(null);
  const addHost = useHostsStore((s) => s.add);
  const navigate = useRouteStore((s) => s.navigate);

  const resultsRef = useRef<HTMLDivElement>(null);
  const { input, errors } = useMemo(() => formToInput(form), [form]);
  const key = probeKey(input);
  const current: Probe = probe.state !== 'idle' && probe.key === key ? probe : { state: 'idle' };
  const connectionErrors = Object.keys(errors).some((k) => k !== 'name');

  async function runProbe() {
    setTrustError(null);
    if (connectionErrors) return setShowErrors(true);
    // The test does not need a name yet; the contract does, so lend it one.
    const probeInput = errors.name ? { ...input, name: 'probe' } : input;
    setProbe({ state: 'running', key });
    try {
      setProbe({ state: 'result', key, result: await requireClient().hosts.probe(probeInput) });
    } catch (e) {
      setProbe({ state: 'error', key, error: toErrorInfo(e) });
    }
  }

  async function trust(hostPattern: string, fingerprint: string) {
    setTrusting(true);
    setTrustError(null);
    try {
      const { accepted } = await requireClient().hosts.acceptHostKey({ hostPattern, fingerprint });
      if (accepted) await runProbe();
      else setTrustError({ code: 'HOSTKEY_CHANGED', message: 'The server no longer shows the key you were asked about. Test the connection again.' });
    } catch (e) {
      setTrustError(toErrorInfo(e));
    } finally {
      setTrusting(false);
    }
  }

  async function save() {
    setSaveError(null);
    if (Object.keys(errors).length) return setShowErrors(true);
    setSaving(true);
    try {
      const host = await addHost(input);
      toast({ tone: 'success', title: `Host "${host.name}" added` });
      onClose();
      navigate({ page: 'host', hostId: host.id });
    } catch (e) {
      setSaveError(toErrorInfo(e));
      setSaving(false);
    }
  }

  const target = form.type === 'ssh' ? { address: form.ssh.address.trim(), port: Number(form.ssh.port), user: form.ssh.user.trim() } : { socketPath: form.socketPath };
  const result = current.state === 'result' ? current.result : undefined;
  const hostKey = result && !result.ok && result.step === 'hostkey' ? result.hostKey : undefined;
  const tested = result?.ok === true;

  // The form is taller than the dialog: bring what the test found (or the fingerprint to compare) into view.
  useEffect(() => {
    if (current.state !== 'idle' || trustError || saveError) resultsRef.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [current.state, trustError, saveError]);

  return (
    <Dialog
      title="Add host"
      description="A host is a Docker engine: reached over SSH, or through a socket on this machine."
      size="lg"
      onClose={onClose}
      busy={saving}
      footer={
        <>
          <Button onClick={onClose} disabled={saving}>
            Cancel
          </Button>
          <Button icon={<PlugZap size={14} />} onClick={runProbe} pending={current.state === 'running'} disabled={saving || trusting}>
            Test connection
          </Button>
          <Button variant={tested ? 'primary' : 'secondary'} onClick={save} pending={saving}>
            Save host
          </Button>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void runProbe();
        }}
      >
        <HostFormFields form={form} errors={showErrors ? errors : {}} onChange={setForm} />
        {/* Enter in a field runs the test, the safe action, never the save. */}
        <button type="submit" hidden tabIndex={-1} aria-hidden />
      </form>
      <div className="dialog-results" ref={resultsRef}>
        <CheckResultView type={form.type} target={target} result={result} running={current.state === 'running'} />
        {hostKey && <HostKeyPrompt hostKey={hostKey} trusting={trusting} onTrust={() => void trust(hostKey.hostPattern, hostKey.fingerprint)} />}
        {trustError && <ErrorBanner title="The host key was not trusted" detail={errorDetail(trustError)}>{trustError.message}</ErrorBanner>}
        {current.state === 'error' && (
          <ErrorBanner title="The connection test could not run" detail={errorDetail(current.error)}>
            {current.error.message}
          </ErrorBanner>
        )}
        {saveError && (
          <ErrorBanner title="The host was not saved" detail={errorDetail(saveError)}>
            {saveError.message}
          </ErrorBanner>
        )}
      </div>
    </Dialog>
  );
}
