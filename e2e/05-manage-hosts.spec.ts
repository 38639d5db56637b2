import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AddHostDialog } from './pages/AddHostDialog.js';
import { expect, test } from './support/fixtures.js';

test('import from an SSH config: entries listed, one opens the add dialog prefilled', async ({ app, lab, page }) => {
  const sci = lab.machines.science;
  const dir = mkdtempSync(path.join(tmpdir(), 'hindsight-sshcfg-'));
  const file = path.join(dir, 'config');
  writeFileSync(
    file,
    [
      'Host lab-sci',
      `  HostName ${sci.address}`,
      `  Port ${sci.port}`,
      `  User ${sci.user}`,
      `  IdentityFile ${sci.keyPath}`,
      '',
      'Host bastion',
      '  HostName bastion.example.org',
      '  User ops',
      '',
      'Host *',
      '  ServerAliveInterval 30',
      '',
    ].join('\n'),
  );

  await app.open();
  await app.hostNav.getByRole('button', { name: 'Import from SSH config' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import from SSH config' });
  await dialog.getByLabel('SSH config file').fill(file);
  await dialog.getByRole('button', { name: 'Read' }).click();
  const entries = dialog.getByRole('table', { name: 'SSH config entries' });
  await expect(entries.getByText('lab-sci', { exact: true })).toBeVisible();
  await expect(entries.getByText('bastion', { exact: true })).toBeVisible();
  await expect(entries.getByText('*', { exact: true })).toHaveCount(0);
  await app.shot('16-import-ssh-config');

  await dialog.getByRole('button', { name: 'Add lab-sci' }).click();
  const add = new AddHostDialog(page);
  await expect(add.root).toBeVisible();
  await expect(add.root.getByLabel('Name', { exact: true })).toHaveValue('lab-sci');
  await expect(add.root.getByLabel('Address', { exact: true })).toHaveValue(sci.address);
  await expect(add.root.getByLabel('Port', { exact: true })).toHaveValue(String(sci.port));
  await expect(add.root.getByLabel('Private key file', { exact: true })).toHaveValue(sci.keyPath);
  await add.cancel();
});

test('edit a host (protected) and remove one after confirming', async ({ app, hostPage, lab, page }) => {
  const sci = lab.machines.science;
  await app.open();
  // A scratch host, saved without testing: saving does not require a test.
  await app.openAddHost();
  const add = new AddHostDialog(page);
  await add.fillSsh({ name: 'scratch', address: sci.address, port: sci.port, user: sci.user, keyPath: sci.keyPath, remoteSocket: sci.remoteSocket });
  await add.save();
  await expect(app.hostLink('scratch')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: 'scratch' })).toBeVisible();
  await expect(hostPage.container('notebook')).toBeVisible();

  await page.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit scratch' });
  await edit.getByLabel('Role').selectOption({ label: 'Science / staging' });
  await edit.getByLabel('Protected').check();
  await app.shot('17-edit-host');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit).toBeHidden();
  await expect(app.hostLink('scratch')).toHaveAccessibleName(/^scratch, science, protected:/);

  await page.getByRole('button', { name: 'Remove' }).click();
  const confirm = page.getByRole('dialog', { name: 'Remove scratch?' });
  await expect(confirm).toContainText('Nothing changes on the machine itself');
  await confirm.getByRole('button', { name: 'Remove host' }).click();
  await expect(confirm).toBeHidden();
  await expect(app.hostLink('scratch')).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 1, name: 'Hosts' })).toBeVisible();
});
