import { expect, type Locator, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { APP_PATH } from '../support/env.js';

export const ARTIFACTS = path.resolve(import.meta.dirname, '../artifacts');

/** The shell: sidebar (hosts, theme) and navigation. */
export class AppPage {
  readonly sidebar: Locator;
  readonly hostNav: Locator;

  constructor(readonly page: Page) {
    this.sidebar = page.locator('aside.sidebar');
    this.hostNav = page.getByRole('navigation', { name: 'Hosts' });
  }

  async open(): Promise<void> {
    await this.page.goto(APP_PATH);
    await expect(this.hostNav).toBeVisible();
    await expect(this.hostNav.getByText('Loading…')).toHaveCount(0);
  }

  hostLink(name: string): Locator {
    return this.hostNav.getByRole('link', { name: new RegExp(`^${name},`) });
  }

  async hasHost(name: string): Promise<boolean> {
    return (await this.hostLink(name).count()) > 0;
  }

  async openHost(name: string): Promise<void> {
    await this.hostLink(name).click();
    await expect(this.page.getByRole('heading', { level: 1, name })).toBeVisible();
  }

  async openAddHost(): Promise<void> {
    await this.hostNav.getByRole('button', { name: 'Add host' }).click();
  }

  async setTheme(theme: 'light' | 'dark' | 'system'): Promise<void> {
    const label = { light: 'Light theme', dark: 'Dark theme', system: 'System theme' }[theme];
    await this.page.getByRole('radio', { name: label }).click();
    if (theme !== 'system') await expect(this.page.locator('html')).toHaveAttribute('data-theme', theme);
  }

  /** Saves e2e/artifacts/<name>.png (gitignored) for a human to look at. */
  async shot(name: string, target?: Locator): Promise<void> {
    mkdirSync(ARTIFACTS, { recursive: true });
    // Let transitions and spinners settle so the picture shows the state, not a frame of a fade.
    await this.page.waitForTimeout(250);
    const file = path.join(ARTIFACTS, `${name}.png`);
    if (target) await target.screenshot({ path: file });
    else await this.page.screenshot({ path: file });
  }

  toast(text: string | RegExp): Locator {
    return this.page.getByRole('region', { name: 'Notifications' }).getByText(text);
  }
}
