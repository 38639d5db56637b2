import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isOwnPage, permissionAllowed } from './own-page.js';

const index = pathToFileURL('/opt/Hindsight/resources/app.asar/dist/renderer/index.html');

describe('isOwnPage (IPC sender and navigation check)', () => {
  it('accepts our index.html, with or without query and fragment', () => {
    expect(isOwnPage(index.href, index)).toBe(true);
    expect(isOwnPage(`${index.href}?x=1#/hosts`, index)).toBe(true);
  });

  it('refuses anything else', () => {
    for (const other of [
      'https://evil.example/',
      'http://127.0.0.1:7420/',
      'file:///opt/Hindsight/resources/app.asar/dist/renderer/other.html',
      'file:///tmp/index.html',
      'file://remote-host/opt/Hindsight/resources/app.asar/dist/renderer/index.html',
      'devtools://devtools/bundled/inspector.html',
      'about:blank',
      'not a url',
    ]) {
      expect(isOwnPage(other, index), other).toBe(false);
    }
  });
});

describe('permissions', () => {
  const index = new URL('file:///opt/Hindsight/resources/app.asar/dist/renderer/index.html');
  it('only notifications, and only for our own page', () => {
    expect(permissionAllowed('notifications', `${index.href}#/operations`, index)).toBe(true);
    for (const p of ['media', 'geolocation', 'clipboard-read', 'openExternal', 'fullscreen']) expect(permissionAllowed(p, index.href, index)).toBe(false);
    expect(permissionAllowed('notifications', 'https://evil.example/', index)).toBe(false);
    expect(permissionAllowed('notifications', 'file:///tmp/other.html', index)).toBe(false);
    expect(permissionAllowed('notifications', undefined, index)).toBe(false);
  });
});
