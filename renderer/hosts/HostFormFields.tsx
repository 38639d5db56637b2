import { useState } from 'react';
import { Checkbox, Segmented, SelectField, TextField } from '../components';
import type { EndpointForm, FormErrors, HostForm } from './hostForm';
import { withRole } from './hostForm';
import { ROLE_OPTIONS } from './roles';

interface Props {
  form: HostForm;
  errors: FormErrors;
  onChange: (f: HostForm) => void;
}

const AUTH_OPTIONS = [
  { value: 'key', label: 'Private key file' },
  { value: 'agent', label: 'ssh-agent' },
] as const;

function EndpointFields({ value, onChange, errors, prefix, labelPrefix = '' }: { value: EndpointForm; onChange: (e: EndpointForm) => void; errors: FormErrors; prefix: string; labelPrefix?: string }) {
  const set = (patch: Partial<EndpointForm>) => onChange({ ...value, ...patch });
  // "Address" for the host itself, "Jump host address" for the bastion.
  const lbl = (s: string) => (labelPrefix ? `${labelPrefix}${s.toLowerCase()}` : s);
  return (
    <>
      <div className="form-row form-row-endpoint">
        <TextField label={lbl('Address')} placeholder="host.example.org or 10.0.0.5" value={value.address} onValueChange={(address) => set({ address })} error={errors[`${prefix}.address`]} />
        <TextField label={lbl('Port')} inputMode="numeric" value={value.port} onValueChange={(port) => set({ port })} error={errors[`${prefix}.port`]} />
        <TextField label={lbl('User')} placeholder="e.g. deploy" value={value.user} onValueChange={(user) => set({ user })} error={errors[`${prefix}.user`]} />
      </div>
      <div className="form-row form-row-auth">
        <Segmented label={lbl('Authentication')} value={value.authType} options={AUTH_OPTIONS} onValueChange={(authType) => set({ authType })} />
        {value.authType === 'key' ? (
          <TextField
            label={lbl('Private key file')}
            placeholder="~/.ssh/id_ed25519"
            value={value.keyPath}
            onValueChange={(keyPath) => set({ keyPath })}
            error={errors[`${prefix}.keyPath`]}
            hint="A path on the machine running Hindsight; the key never leaves it."
            className="mono"
          />
        ) : (
          <div className="field-hint form-auth-note">Uses the keys loaded in the ssh-agent at $SSH_AUTH_SOCK.</div>
        )}
      </div>
    </>
  );
}

/** The fields of the add-host form; the dialog owns the state and the actions. */
export function HostFormFields({ form, errors, onChange }: Props) {
  const set = (patch: Partial<HostForm>) => onChange({ ...form, ...patch });
  // A prefilled non-default socket must not hide behind a closed disclosure.
  const [advancedOpen] = useState(form.remoteSocket !== '/var/run/docker.sock');
  return (
    <div className="form">
      <fieldset className="form-section">
        <legend>Host</legend>
        <div className="form-row">
          <TextField label="Name" placeholder="e.g. uat" value={form.name} onValueChange={(name) => set({ name })} error={errors.name} autoFocus />
          <SelectField label="Role" value={form.role} options={ROLE_OPTIONS} onValueChange={(role) => onChange(withRole(form, role))} />
        </div>
        <Checkbox
          label="Protected"
          description="Confirm before stopping its services; type its name before restoring onto it."
          checked={form.protected}
          onCheckedChange={(v) => set({ protected: v, protectedTouched: true })}
        />
      </fieldset>

      <fieldset className="form-section">
        <legend>Connection</legend>
        <Segmented
          label="Connection type"
          value={form.type}
          options={[
            { value: 'ssh', label: 'SSH' },
            { value: 'local', label: 'Local socket' },
          ]}
          onValueChange={(type) => set({ type })}
        />
        {form.type === 'local' ? (
          <TextField label="Docker socket path" value={form.socketPath} onValueChange={(socketPath) => set({ socketPath })} error={errors.socketPath} className="mono" />
        ) : (
          <>
            <EndpointFields value={form.ssh} onChange={(ssh) => set({ ssh })} errors={errors} prefix="ssh" />
            {form.ssh.authType === 'key' && (
              <div className="form-row">
                <TextField
                  label="Key passphrase"
                  type="password"
                  optional
                  value={form.keyPassphrase}
                  onValueChange={(keyPassphrase) => set({ keyPassphrase })}
                  hint="Kept in the secret store, never shown again."
                  autoComplete="new-password"
                />
              </div>
            )}
            <Checkbox label="Connect through a jump host" description="For machines reachable only through a bastion." checked={form.useJump} onCheckedChange={(useJump) => set({ useJump })} />
            {form.useJump && (
              <div className="form-subsection" role="group" aria-label="Jump host">
                <EndpointFields value={form.jump} onChange={(jump) => set({ jump })} errors={errors} prefix="jump" labelPrefix="Jump host " />
              </div>
            )}
            <details className="form-advanced" open={advancedOpen || undefined}>
              <summary>Advanced</summary>
              <TextField
                label="Remote Docker socket"
                value={form.remoteSocket}
                onValueChange={(remoteSocket) => set({ remoteSocket })}
                hint="Where the engine listens on that machine."
                className="mono"
              />
            </details>
          </>
        )}
      </fieldset>
    </div>
  );
}
