import { expect, type Locator, type Page } from '@playwright/test';

/** A host's page: containers by stack, volumes, per-container actions. */
export class HostPage {
  readonly containers: Locator;
  readonly volumes: Locator;

  constructor(readonly page: Page) {
    this.containers = page.getByRole('table', { name: 'Containers' });
    this.volumes = page.getByRole('table', { name: 'Volumes' });
  }

  container(name: string): Locator {
    return this.containers.getByRole('row', { name, exact: true });
  }

  volume(name: string): Locator {
    return this.volumes.getByRole('row', { name, exact: true });
  }

  state(name: string): Locator {
    return this.page.getByTestId(`state-${name}`);
  }

  async action(name: string, action: 'Start' | 'Stop' | 'Restart'): Promise<void> {
    await this.container(name).getByRole('button', { name: `${action} ${name}`, exact: true }).click();
  }

  async openLogs(name: string): Promise<void> {
    await this.container(name).getByRole('button', { name: `Logs of ${name}` }).click();
    await expect(this.page.getByRole('region', { name: `Logs of ${name}` })).toBeVisible();
  }
}
