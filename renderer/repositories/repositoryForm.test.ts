import { describe, expect, it } from 'vitest';
import { RepositoryInput, type Repository } from '../../shared/contract/index.js';
import { EMPTY_FORM, formOf, locationOf, toInput, validate } from './repositoryForm';

const s3Saved: Repository = {
  id: 'r1', name: 'team-s3', createdAt: '', kind: 's3', endpoint: 'http://127.0.0.15:9000', region: 'us-east-1', bucket: 'bucket-1', prefix: 'p/',
  forcePathStyle: true, credentials: { source: 'keys', accessKeyId: 'AK' }, maxAttempts: 3, hasSecret: true, builtIn: false,
};

describe('the repository form', () => {
  it('a new S3 repository needs its secret; the input fits the contract and carries the secret once', () => {
    const f = { ...EMPTY_FORM, name: 'team-s3', endpoint: 'http://127.0.0.15:9000', bucket: 'hindsight-e2e', prefix: 'run/', accessKeyId: 'AK' };
    expect(validate(f, null)).toEqual({ secretAccessKey: 'The secret access key.' });
    const input = toInput({ ...f, secretAccessKey: 's3cr3t' });
    expect(RepositoryInput.parse(input)).toMatchObject({ kind: 's3', bucket: 'hindsight-e2e', credentials: { source: 'keys', accessKeyId: 'AK' }, secretAccessKey: 's3cr3t' });
    // A blank region is left to the backend (AWS_REGION, the profile, us-east-1).
    expect('region' in input).toBe(false);
  });

  it('editing keeps a stored secret when the field stays blank; it never comes back into the form', () => {
    const f = formOf(s3Saved);
    expect(f.secretAccessKey).toBe('');
    expect(validate(f, s3Saved)).toEqual({});
    expect('secretAccessKey' in toInput(f)).toBe(false);
  });

  it('points at every wrong field of an SFTP repository before anything is sent', () => {
    const errors = validate({ ...EMPTY_FORM, kind: 'sftp', name: '-bad', port: '70000' }, null);
    expect(Object.keys(errors).sort()).toEqual(['address', 'keyPath', 'name', 'path', 'port', 'user']);
    const ok = { ...EMPTY_FORM, kind: 'sftp' as const, name: 'annex', address: '127.0.0.14', port: '2222', user: 'hindsight', keyPath: '/k', path: '/repo/x' };
    expect(validate(ok, null)).toEqual({});
    expect(RepositoryInput.parse(toInput(ok))).toMatchObject({ kind: 'sftp', port: 2222, auth: { type: 'key', keyPath: '/k' } });
    expect(locationOf({ ...RepositoryInput.parse(toInput(ok)), id: 'x', createdAt: '', hasSecret: false, builtIn: false } as Repository)).toBe('sftp://hindsight@127.0.0.14:2222/repo/x');
  });
});
