/**
 * The desktop release's security settings live in package.json (electron-builder), not in code:
 * this keeps them from being dropped by accident. Fuses per Electron's security checklist; the
 * file protocol keeps its privileges because the window loads its page from file:// (a custom
 * protocol would let us drop them — noted in docs/DECISIONS.md).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  devDependencies: Record<string, string>;
  optionalDependencies: Record<string, string>;
  build: { electronFuses: Record<string, boolean>; files: string[] };
};

describe('desktop packaging', () => {
  it('flips the fuses the Electron security checklist recommends', () => {
    expect(pkg.build.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
    });
  });

  it('is on a supported Electron major, and the Node binaries pinned for tests stay out of the app', () => {
    expect(Number(/\d+/.exec(pkg.devDependencies.electron!)![0])).toBeGreaterThanOrEqual(43);
    expect(pkg.build.files).toContain('!node_modules/node-{darwin,linux,win}-*/**');
    // The tests' Node is the major Electron embeds (24), pinned per platform, optional elsewhere.
    for (const v of Object.values(pkg.optionalDependencies)) expect(v).toMatch(/^24\./);
  });
});
