import { expect, type Locator, type Page } from '@playwright/test';

export interface SshHostFields {
  name: string;
  role?: 'production' | 'backup' | 'uat' | 'science' | 'other';
  address: string;
  port: number;
  user: string;
  keyPath: string;
  /** Set under Advanced when the engine's socket is not /var/run/docker.sock. */
  remoteSocket?: string;
}

const ROLE_LABEL = { production: 'Production', backup: 'Backup server', uat: 'UAT', science: 'Science / staging', other: 'Other' };

/** The "Add host" dialog: form, connection test, host-key confirmation, save. */
export class AddHostDialog {
  readonly root: Locator;
  readonly fingerprint: Locator;
  readonly keyType: Locator;
  readonly connectionOk: Locator;
  readonly dockerVersion: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByRole('dialog', { name: 'Add host' });
    this.fingerprint = this.root.getByTestId('hostkey-fingerprint');
    this.keyType = this.root.getByTestId('hostkey-type');
    this.connectionOk = this.root.getByText('Connection OK');
    this.dockerVersion = this.root.getByTestId('docker-version');
  }

  async fillSsh(f: SshHostFields): Promise<void> {
    await expect(this.root).toBeVisible();
    const r = this.root;
    await r.getByLabel('Name', { exact: true }).fill(f.name);
    if (f.role) await r.getByLabel('Role', { exact: true }).selectOption({ label: ROLE_LABEL[f.role] });
    await r.getByRole('radio', { name: 'SSH', exact: true }).click();
    await r.getByLabel('Address', { exact: true }).fill(f.address);
    await r.getByLabel('Port', { exact: true }).fill(String(f.port));
    await r.getByLabel('User', { exact: true }).fill(f.user);
    await r.getByRole('radio', { name: 'Private key file', exact: true }).click();
    await r.getByLabel('Private key file', { exact: true }).fill(f.keyPath);
    if (f.remoteSocket) {
      const socket = r.getByLabel('Remote Docker socket', { exact: true });
      if (!(await socket.isVisible())) await r.getByText('Advanced', { exact: true }).click();
      await socket.fill(f.remoteSocket);
    }
  }

  async testConnection(): Promise<void> {
    await this.root.getByRole('button', { name: 'Test connection' }).click();
    await expect(this.root.getByText('Testing the connection…')).toHaveCount(0, { timeout: 30_000 });
  }

  async trustHostKey(): Promise<void> {
    await this.root.getByRole('button', { name: 'Trust this host key' }).click();
  }

  async save(): Promise<void> {
    await this.root.getByRole('button', { name: 'Save host' }).click();
    await expect(this.root).toBeHidden();
  }

  async cancel(): Promise<void> {
    await this.root.getByRole('button', { name: 'Cancel' }).click();
    await expect(this.root).toBeHidden();
  }

  /** The chip of one step of the check ("TCP connection: failed"). */
  step(label: string, state: 'ok' | 'failed' | 'skipped' | 'pending'): Locator {
    return this.root.getByRole('list', { name: 'Connection steps' }).getByLabel(`${label}: ${state}`);
  }
}
