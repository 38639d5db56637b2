import { describe, expect, it } from 'vitest';
import { describeConnection, emptyForm, formFromInput, formToInput, withRole } from './hostForm';

const filled = () => {
  const f = emptyForm();
  f.name = 'uat';
  f.ssh = { address: ' 127.0.0.12 ', port: '2222', user: 'hindsight', authType: 'key', keyPath: '/keys/lab' };
  return f;
};

describe('formToInput', () => {
  it('builds the contract input from a filled SSH form', () => {
    const { input, errors } = formToInput(filled());
    expect(errors).toEqual({});
    expect(input).toEqual({
      name: 'uat',
      role: 'other',
      protected: false,
      connection: { type: 'ssh', address: '127.0.0.12', port: 2222, user: 'hindsight', auth: { type: 'key', keyPath: '/keys/lab' }, remoteSocket: '/var/run/docker.sock' },
    });
  });

  it('points at each missing or wrong field', () => {
    const f = emptyForm();
    f.ssh.port = '70000';
    const { errors } = formToInput(f);
    expect(Object.keys(errors).sort()).toEqual(['name', 'ssh.address', 'ssh.keyPath', 'ssh.port', 'ssh.user']);
  });

  it('rejects names the contract would refuse', () => {
    const f = filled();
    f.name = '-bad name';
    expect(formToInput(f).errors.name).toBeDefined();
  });

  it('sends a passphrase only when one was typed, and never for ssh-agent', () => {
    const f = filled();
    expect(formToInput(f).input.keyPassphrase).toBeUndefined();
    f.keyPassphrase = 's3cret';
    expect(formToInput(f).input.keyPassphrase).toBe('s3cret');
    f.ssh.authType = 'agent';
    expect(formToInput(f).input.keyPassphrase).toBeUndefined();
    expect(formToInput(f).input.connection).toMatchObject({ auth: { type: 'agent' } });
  });

  it('includes the jump host only when asked', () => {
    const f = filled();
    f.jump = { address: 'bastion', port: '22', user: 'ops', authType: 'agent', keyPath: '' };
    expect(formToInput(f).input.connection).not.toHaveProperty('jump');
    f.useJump = true;
    expect(formToInput(f).input.connection).toMatchObject({ jump: { address: 'bastion', port: 22, user: 'ops', auth: { type: 'agent' } } });
  });
});

describe('withRole', () => {
  it('protects production unless the user chose otherwise', () => {
    expect(withRole(emptyForm(), 'production').protected).toBe(true);
    expect(withRole(withRole(emptyForm(), 'production'), 'uat').protected).toBe(false);
    const touched = { ...emptyForm(), protected: false, protectedTouched: true };
    expect(withRole(touched, 'production').protected).toBe(false);
  });
});

describe('formFromInput / describeConnection', () => {
  it('round-trips an imported ssh-config entry', () => {
    const input = formToInput(filled()).input;
    expect(formToInput(formFromInput(input)).input).toEqual(input);
  });
  it('summarises connections the way people write them', () => {
    expect(describeConnection({ type: 'ssh', address: 'h', port: 22, user: 'u', auth: { type: 'agent' } })).toBe('u@h');
    expect(describeConnection({ type: 'ssh', address: 'h', port: 2222, user: 'u', auth: { type: 'agent' }, jump: { address: 'b', port: 22, user: 'j', auth: { type: 'agent' } } })).toBe('u@h:2222 via b');
    expect(describeConnection({ type: 'local', socketPath: '/s' })).toBe('/s');
  });
});
