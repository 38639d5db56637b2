import { useState } from 'react';
import { Button, Checkbox, Dialog, ErrorBanner, Segmented, SelectField, TextField } from '../components';
import { errorDetail, toErrorInfo, type ErrorInfo } from '../app/errors';
import { EMPTY_FORM, formOf, toInput, validate, type RepositoryForm } from './repositoryForm';
import { useRepositoriesStore } from './useRepositoriesStore';

const KINDS = [
  { value: 's3', label: 'S3 bucket' },
  { value: 'sftp', label: 'SFTP server' },
  { value: 'local', label: 'Local folder' },
] as const;

/** Add or edit a repository. Secrets are write-only: on edit they show blank and blank keeps them. */
export function RepositoryDialog() {
  const { dialog, open, save } = useRepositoriesStore();
  const editing = dialog?.mode === 'edit' ? dialog.repo : null;
  const [form, setForm] = useState<RepositoryForm>(editing ? formOf(editing) : EMPTY_FORM);
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  if (dialog?.mode !== 'add' && dialog?.mode !== 'edit') return null;

  const errors = validate(form, editing);
  const shown = touched ? errors : {};
  const patch = (p: Partial<RepositoryForm>) => setForm({ ...form, ...p });
  const submit = async () => {
    setTouched(true);
    if (Object.keys(errors).length) return;
    setBusy(true);
    setError(null);
    try {
      await save(toInput(form), editing?.id);
      open(null);
    } catch (e) {
      setError(toErrorInfo(e));
    } finally {
      setBusy(false);
    }
  };
  const secretKept = editing?.kind === 's3' && editing.hasSecret;

  return (
    <Dialog
      title={editing ? `Edit repository ${editing.name}` : 'Add a repository'}
      description="Where snapshots are kept. Saving does not write anything there: test it, then initialise it if it is empty."
      onClose={() => open(null)}
      busy={busy}
      size="md"
      footer={
        <>
          <Button onClick={() => open(null)} disabled={busy}>
            Cancel
          </Button>
          <Button variant="primary" onClick={() => void submit()} pending={busy}>
            {editing ? 'Save and test' : 'Add and test'}
          </Button>
        </>
      }
    >
      <form
        className="repo-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        {!editing && <Segmented label="Kind" value={form.kind} onValueChange={(kind) => patch({ kind })} options={KINDS} />}
        <TextField label="Name" value={form.name} onValueChange={(name) => patch({ name })} error={shown.name} hint="How the console and the CLI call it, e.g. team-s3." autoFocus />
        {form.kind === 's3' && (
          <>
            <TextField label="Endpoint" value={form.endpoint} onValueChange={(endpoint) => patch({ endpoint })} error={shown.endpoint} optional hint="MinIO, Ceph, Swift… (e.g. http://minio:9000). Blank for AWS." />
            <div className="repo-form-row">
              <TextField label="Bucket" value={form.bucket} onValueChange={(bucket) => patch({ bucket })} error={shown.bucket} />
              <TextField label="Prefix" value={form.prefix} onValueChange={(prefix) => patch({ prefix })} error={shown.prefix} optional hint="A folder in the bucket, e.g. hindsight/" />
            </div>
            <div className="repo-form-row">
              <TextField label="Region" value={form.region} onValueChange={(region) => patch({ region })} optional hint="Blank: AWS_REGION, or the profile's region, or us-east-1." />
              <div className="repo-form-check">
                <Checkbox label="Path-style addresses" description="http://host/bucket/key — MinIO, Ceph and most self-hosted servers need it." checked={form.forcePathStyle} onCheckedChange={(forcePathStyle) => patch({ forcePathStyle })} />
              </div>
            </div>
            <SelectField
              label="Credentials"
              value={form.credentialSource}
              onValueChange={(credentialSource) => patch({ credentialSource })}
              options={[
                { value: 'keys', label: 'An access key' },
                { value: 'profile', label: 'An AWS profile (~/.aws)' },
                { value: 'env', label: "The backend's AWS_* environment" },
              ]}
            />
            {form.credentialSource === 'keys' && (
              <div className="repo-form-row">
                <TextField label="Access key id" value={form.accessKeyId} onValueChange={(accessKeyId) => patch({ accessKeyId })} error={shown.accessKeyId} autoComplete="off" />
                <TextField
                  label="Secret access key"
                  type="password"
                  value={form.secretAccessKey}
                  onValueChange={(secretAccessKey) => patch({ secretAccessKey })}
                  error={shown.secretAccessKey}
                  autoComplete="new-password"
                  hint={secretKept ? 'Stored. Leave blank to keep it.' : 'Kept by the backend (mode 0600), never shown again.'}
                />
              </div>
            )}
            {form.credentialSource === 'profile' && <TextField label="Profile" value={form.profile} onValueChange={(profile) => patch({ profile })} optional hint="Blank: AWS_PROFILE, or default." />}
          </>
        )}
        {form.kind === 'sftp' && (
          <>
            <div className="repo-form-row">
              <TextField label="Server" value={form.address} onValueChange={(address) => patch({ address })} error={shown.address} hint="Name or address of the backup server." />
              <TextField label="Port" value={form.port} onValueChange={(port) => patch({ port })} error={shown.port} inputMode="numeric" fieldClassName="repo-port" />
              <TextField label="User" value={form.user} onValueChange={(user) => patch({ user })} error={shown.user} />
            </div>
            <SelectField label="Sign in with" value={form.authType} onValueChange={(authType) => patch({ authType })} options={[{ value: 'key', label: 'A private key file' }, { value: 'agent', label: 'ssh-agent' }]} />
            {form.authType === 'key' && (
              <div className="repo-form-row">
                <TextField label="Private key file" value={form.keyPath} onValueChange={(keyPath) => patch({ keyPath })} error={shown.keyPath} hint="On the machine running Hindsight, e.g. ~/.ssh/id_ed25519." />
                <TextField label="Key passphrase" type="password" value={form.keyPassphrase} onValueChange={(keyPassphrase) => patch({ keyPassphrase })} optional autoComplete="new-password" hint={editing?.hasSecret ? 'Stored. Blank keeps it.' : 'Only if the key has one.'} />
              </div>
            )}
            <TextField label="Directory on the server" value={form.path} onValueChange={(path) => patch({ path })} error={shown.path} hint="e.g. /srv/backups/hindsight. Its host key is shown when you test it, to compare and trust." />
          </>
        )}
        {form.kind === 'local' && (
          <TextField label="Folder" value={form.path} onValueChange={(path) => patch({ path })} optional hint="A folder on the machine running Hindsight (a mounted disk, a NAS share). Blank: the app's data folder." />
        )}
        {error && (
          <ErrorBanner title={editing ? 'Could not save the repository' : 'Could not add the repository'} detail={errorDetail(error)}>
            {error.message}
          </ErrorBanner>
        )}
        <button type="submit" hidden />
      </form>
    </Dialog>
  );
}
