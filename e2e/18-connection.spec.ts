/**
 * The page's connection to the backend in web mode: opened once, by the early start (a small
 * script that runs while the app's bundle is still on its way: renderer/early/early-start.ts), and
 * refused plainly without the token.
 */
import type { Page } from '@playwright/test';
import { APP_PATH } from './support/env.js';
import { expect, test } from './support/fixtures.js';

function countSockets(page: Page): string[] {
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(new URL(ws.url()).pathname));
  return sockets;
}

test('a page opens one connection to the backend, the early start’s, and the app uses it', async ({ page }) => {
  const sockets = countSockets(page);
  const early = page.waitForResponse((r) => /\/assets\/early-start-[\w-]+\.js$/.test(r.url()));
  await page.goto(APP_PATH);
  expect((await early).status()).toBe(200);
  // Connected, and a call over the connection answered: the hosts list is loaded.
  const hosts = page.getByRole('navigation', { name: 'Hosts' });
  await expect(hosts).toBeVisible();
  await expect(hosts.getByText('Loading…')).toHaveCount(0);
  await expect(hosts.getByRole('button', { name: 'Add host' })).toBeVisible();
  expect(sockets).toEqual(['/rpc']);
  // The token moved out of the address bar; a reload connects again, once.
  expect(new URL(page.url()).searchParams.get('token')).toBeNull();
  await page.reload();
  await expect(hosts.getByRole('button', { name: 'Add host' })).toBeVisible();
  expect(sockets).toEqual(['/rpc', '/rpc']);
});

test('a page without its token says where to find it and opens no connection', async ({ page }) => {
  const sockets = countSockets(page);
  await page.goto('/');
  await expect(page.getByText('Cannot reach the Hindsight backend')).toBeVisible();
  await expect(page.getByRole('paragraph').filter({ hasText: 'No access token' })).toBeVisible();
  expect(sockets).toEqual([]);
});

test('a wrong token is refused once, in plain words', async ({ page }) => {
  const sockets = countSockets(page);
  await page.goto('/?token=not-the-token');
  await expect(page.getByText('Cannot reach the Hindsight backend')).toBeVisible();
  await expect(page.getByRole('paragraph').filter({ hasText: 'refused or dropped the connection' })).toBeVisible();
  expect(sockets).toEqual(['/rpc']);
});
