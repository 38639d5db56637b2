import { describe, expect, it, vi } from 'vitest';
import { createLogger, redact } from './log.js';

describe('redact', () => {
  it('hides secret-named fields and private key blocks, keeps the rest', () => {
    const out = redact({
      host: 'prod',
      keyPassphrase: 'hunter2',
      nested: { password: 'x', list: [{ token: 't' }] },
      note: 'key: -----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY----- end',
    });
    expect(JSON.stringify(out)).not.toMatch(/hunter2|"x"|"t"|abc/);
    expect(out).toMatchObject({ host: 'prod', keyPassphrase: '[redacted]', note: 'key: [redacted private key] end' });
  });
});

describe('createLogger', () => {
  it('writes at or above its level, redacted, to stderr', () => {
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const log = createLogger('t', 'info');
    log.debug('hidden');
    log.warn('shown', { passphrase: 'secret' });
    const written = spy.mock.calls.map((c) => String(c[0])).join('');
    spy.mockRestore();
    expect(written).not.toContain('hidden');
    expect(written).toContain('WARN [t] shown');
    expect(written).not.toContain('secret"');
  });
});
