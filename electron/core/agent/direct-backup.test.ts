/**
 * The agent's backup-source request: the set's encryption travels with it (so the agent encrypts
 * what the console's manifest will say is encrypted), in shapes the console makes — never one that
 * says "recipients" while carrying something else, and never private identities.
 */
import { describe, expect, it } from 'vitest';
import { DirectBackupRequest } from './direct-backup.js';

const base = {
  repository: { config: { id: 'r1', name: 'lab', kind: 's3', endpoint: 'http://127.0.0.15:9000', region: 'us-east-1', bucket: 'hindsight-lab', prefix: '', forcePathStyle: true, credentials: { source: 'keys', accessKeyId: 'k' }, createdAt: new Date(0).toISOString() }, secrets: { secretAccessKey: 's' } },
  host: { id: 'h1', name: 'uat' },
  snapshotId: '20261206T000000Z-set-abcd',
  name: 'vol',
  index: 0,
  count: 1,
  spec: { kind: 'volume', volume: 'vol' },
  compression: 'zstd',
};
const recipient = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';

describe('DirectBackupRequest', () => {
  it('defaults to no encryption and carries recipients or a passphrase as given', () => {
    expect(DirectBackupRequest.parse(base).encryption).toEqual({ kind: 'none', spec: { kind: 'none' } });
    const r = DirectBackupRequest.parse({ ...base, encryption: { kind: 'age-recipients', spec: { kind: 'recipients', recipients: [recipient] } } });
    expect(r.encryption).toEqual({ kind: 'age-recipients', spec: { kind: 'recipients', recipients: [recipient] } });
    const p = DirectBackupRequest.parse({ ...base, encryption: { kind: 'age-passphrase', spec: { kind: 'passphrase', passphrase: 'x y z' } } });
    expect(p.encryption.spec).toEqual({ kind: 'passphrase', passphrase: 'x y z' });
  });

  it('refuses a kind that does not match its spec, an empty recipient list, and anything that is not an age public key', () => {
    for (const encryption of [
      { kind: 'age-recipients', spec: { kind: 'passphrase', passphrase: 'x' } },
      { kind: 'age-passphrase', spec: { kind: 'none' } },
      { kind: 'age-recipients', spec: { kind: 'recipients', recipients: [] } },
      { kind: 'age-recipients', spec: { kind: 'recipients', recipients: ['AGE-SECRET-KEY-1QQQQ'] } },
      { kind: 'none', spec: { kind: 'recipients', recipients: [recipient] } },
    ]) {
      expect(() => DirectBackupRequest.parse({ ...base, encryption }), JSON.stringify(encryption)).toThrow();
    }
  });

  it('drops identities a sender might add: the agent never holds a private key', () => {
    const r = DirectBackupRequest.parse({ ...base, encryption: { kind: 'age-recipients', spec: { kind: 'recipients', recipients: [recipient], identities: ['AGE-SECRET-KEY-1XYZ'] } } });
    expect(r.encryption.spec).not.toHaveProperty('identities');
  });
});
