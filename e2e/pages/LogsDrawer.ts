import { expect, type Locator, type Page } from '@playwright/test';

/** The live logs drawer of one container. */
export class LogsDrawer {
  readonly root: Locator;
  readonly lines: Locator;
  readonly filter: Locator;

  constructor(readonly page: Page, container: string) {
    this.root = page.getByRole('region', { name: `Logs of ${container}` });
    this.lines = this.root.locator('.log-line');
    this.filter = this.root.getByLabel('Filter lines');
  }

  line(text: string | RegExp): Locator {
    return this.lines.filter({ hasText: text });
  }

  async lastLineText(): Promise<string> {
    await expect(this.lines.first()).toBeVisible();
    return (await this.lines.last().innerText()).trim();
  }

  async pause(): Promise<void> {
    await this.root.getByRole('button', { name: 'Pause' }).click();
  }

  async resume(): Promise<void> {
    await this.root.getByRole('button', { name: 'Resume' }).click();
  }

  async close(): Promise<void> {
    await this.root.getByRole('button', { name: 'Close logs' }).click();
    await expect(this.root).toBeHidden();
  }
}
