import { describe, expect, it } from 'vitest';
import type { Host, Manifest, RestorePlan } from '../../shared/contract/index.js';
import { formatBackupDate, formatEstimate, restoreSummary } from './summary';
import { operationIdOf } from './useRestoreWizardStore';
import { blockedReason, defaultMap, defaultPaths, EMPTY_CHOICES, furthestOpen, inputKey, toRestoreInput, type StepContext } from './wizardModel';

const manifest = {
  format: 'hindsight/1',
  id: '20261121T180000Z-shop-ab12',
  set: 'shop',
  sourceHost: { id: 'lab-production', name: 'production' },
  startedAt: '2026-11-21T18:00:00.000Z',
  completedAt: '2026-11-21T18:00:04.000Z',
  tags: [],
  toolVersion: '0.1.0',
  sources: [
    { name: 'shop_files', kind: 'volume', origin: { hostId: 'p', hostName: 'production', volume: 'shop_files' }, encryption: 'none' },
    { name: 'shop-db-1', kind: 'postgres', origin: { hostId: 'p', hostName: 'production', container: 'shop-db-1' }, encryption: 'none' },
  ],
} as unknown as Manifest;

const plan = (over: Partial<RestorePlan> = {}): RestorePlan => ({
  snapshotId: manifest.id,
  repositoryId: 'lab-s3',
  targetHost: { id: 'uat', name: 'uat', protected: false },
  targets: [
    { source: 'shop_files', kind: 'volume', targetKind: 'volume', target: 'shop_files', create: false, users: [{ name: 'shop-app-1', state: 'running' }, { name: 'worker', state: 'running' }], objectKey: 'k', storedBytes: 1, rawBytes: 1 },
  ],
  steps: [],
  bytes: 1000,
  estimatedSeconds: 20,
  warnings: [],
  blockers: [],
  safetyCopy: true,
  ...over,
});

const host = (over: Partial<Host> = {}) => ({ id: 'uat', name: 'uat', role: 'uat', protected: false, ...over }) as Host;

describe('restore wizard model', () => {
  const choices = { ...EMPTY_CHOICES, repositoryId: 'lab-s3', snapshotId: manifest.id, sources: ['shop_files', 'shop-db-1'], targetHostId: 'uat', map: defaultMap(manifest) };
  const ctx = (over: Partial<StepContext> = {}): StepContext => ({ choices, manifest, host: host(), preflight: null, plan: null, ...over });

  it('maps each source to the same name by default (volume name, database container)', () => {
    expect(defaultMap(manifest)).toEqual({ shop_files: 'shop_files', 'shop-db-1': 'shop-db-1' });
  });

  it('makes the contract input, with the typed confirmation only when given', () => {
    expect(toRestoreInput(choices, manifest)).toEqual({ repositoryId: 'lab-s3', snapshotId: manifest.id, targetHostId: 'uat', map: { shop_files: 'shop_files', 'shop-db-1': 'shop-db-1' }, sources: ['shop_files', 'shop-db-1'], safetyCopy: true });
    expect(toRestoreInput({ ...choices, confirmText: 'uat' }, manifest).confirm).toBe('uat');
    // The reason for turning the safety copy off travels as the operation's note; with it on, no note.
    expect(toRestoreInput({ ...choices, safetyCopy: false, safetyReason: ' disk full on uat ' }, manifest).note).toBe('disk full on uat');
    expect(toRestoreInput({ ...choices, safetyReason: 'ignored' }, manifest).note).toBeUndefined();
  });

  it('a directory source goes into a container, at a path the user may change; system directories block', () => {
    const withDir = { ...manifest, sources: [...manifest.sources, { name: 'conf', kind: 'directory', origin: { hostId: 'p', hostName: 'production', container: 'shop-app-1', path: '/srv/conf' }, encryption: 'none' }] } as unknown as Manifest;
    expect(defaultMap(withDir).conf).toBe('shop-app-1');
    expect(defaultPaths(withDir)).toEqual({ conf: '/srv/conf' });
    const c = { ...choices, sources: ['conf'], map: defaultMap(withDir), paths: { conf: '/opt/app/conf' } };
    expect(toRestoreInput(c, withDir)).toMatchObject({ map: { conf: 'shop-app-1' }, paths: { conf: '/opt/app/conf' } });
    const at = (path: string) => blockedReason('where', { ...ctx(), manifest: withDir, choices: { ...c, paths: { conf: path } } });
    expect(at('/opt/app/conf')).toBeNull();
    expect(at('/etc')).toMatch(/system directory/);
    expect(at('')).toMatch(/directory conf goes into/);
    // A snapshot no trusted writer signed: the what step waits for "accept".
    const untrusted = { ...ctx(), trust: { status: 'unsigned' as const, message: 'not signed' } };
    expect(blockedReason('what', untrusted)).toMatch(/type accept/);
    expect(blockedReason('what', { ...untrusted, choices: { ...choices, acceptUnsigned: ' Accept ' } })).toBeNull();
    expect(toRestoreInput({ ...choices, acceptUnsigned: 'accept' }, manifest).allowUnsigned).toBe(true);
    const dirPlan = plan({ targets: [{ source: 'conf', kind: 'directory', targetKind: 'container', target: 'notebook', path: '/srv/restored', create: false, users: [], objectKey: 'k', storedBytes: 1, rawBytes: 1 }] });
    expect(restoreSummary({ plan: dirPlan, sourceHostName: 'production', takenAt: manifest.startedAt, locale: 'en-GB', timeZone: 'UTC' })).toMatch(/^Replace the directory `\/srv\/restored` in container `notebook` on uat/);
  });

  it('blocks each step until it is complete', () => {
    expect(blockedReason('what', ctx({ choices: { ...choices, sources: [] } }))).toMatch(/at least one source/);
    expect(blockedReason('what', ctx())).toBeNull();
    expect(blockedReason('where', ctx({ host: null }))).toMatch(/host/);
    expect(blockedReason('preflight', ctx())).toMatch(/Wait/);
    const key = inputKey(choices);
    expect(blockedReason('preflight', ctx({ preflight: { key, checks: [{ id: 'x', title: 'x', status: 'fail', detail: '' }] } }))).toMatch(/failed/);
    expect(blockedReason('preflight', ctx({ preflight: { key, checks: [{ id: 'x', title: 'x', status: 'warn', detail: '' }] } }))).toBeNull();
    // A preflight for other choices does not count.
    expect(blockedReason('preflight', ctx({ preflight: { key: 'other', checks: [] } }))).toMatch(/Wait/);
    expect(blockedReason('plan', ctx({ plan: { key, plan: plan({ blockers: ['no'] }) } }))).toMatch(/cannot run/);
    expect(blockedReason('plan', ctx({ choices: { ...choices, safetyCopy: false }, plan: { key: inputKey({ ...choices, safetyCopy: false }), plan: plan() } }))).toMatch(/why/);
  });

  it('a protected host needs its exact name typed', () => {
    const key = inputKey(choices);
    const c = ctx({ host: host({ protected: true, name: 'production' }), plan: { key, plan: plan() } });
    expect(blockedReason('confirm', c)).toMatch(/Type production/);
    expect(blockedReason('confirm', { ...c, choices: { ...choices, confirmText: 'Production' } })).toMatch(/Type production/);
    expect(blockedReason('confirm', { ...c, choices: { ...choices, confirmText: 'production' } })).toBeNull();
  });

  it('the stepper opens only up to the first incomplete step', () => {
    expect(furthestOpen(4, ctx())).toBe(2);
    expect(furthestOpen(1, ctx())).toBe(1);
  });

  it('finds the operation in a failed run’s error', () => {
    expect(operationIdOf({ code: 'INTERNAL', message: 'Restore 20261122T013609Z-restore-7e70ad failed: x', detail: 'operation 20261122T013609Z-restore-7e70ad; state rolled-back' })).toBe('20261122T013609Z-restore-7e70ad');
    expect(operationIdOf({ code: 'INVALID_INPUT', message: 'Refused: no' })).toBeNull();
  });
});

/** The date in the sentence is kept on one line with no-break spaces. */
const nbspToSpace = (s: string) => s.replace(/\u00a0/g, ' ');

describe('restore summary', () => {
  it('says what happens in one sentence', () => {
    const s = nbspToSpace(restoreSummary({ plan: plan(), sourceHostName: 'production', takenAt: '2026-11-21T18:00:00.000Z', locale: 'en-GB', timeZone: 'UTC' }));
    expect(s).toBe("Replace volume `shop_files` on uat with production's backup of Sat 21 Nov 18:00; stop 2 containers; about 1 min.");
  });

  it('shares the verb between targets and names a new volume', () => {
    const p = plan({
      targets: [
        { source: 'a', kind: 'volume', targetKind: 'volume', target: 'a', create: false, users: [], objectKey: 'k', storedBytes: 1, rawBytes: 1 },
        { source: 'db', kind: 'postgres', targetKind: 'container', target: 'db', create: false, users: [], objectKey: 'k', storedBytes: 1, rawBytes: 1 },
        { source: 'n', kind: 'volume', targetKind: 'volume', target: 'n2', create: true, users: [], objectKey: 'k', storedBytes: 1, rawBytes: 1 },
      ],
      estimatedSeconds: 840,
    });
    expect(nbspToSpace(restoreSummary({ plan: p, sourceHostName: 'production', takenAt: '2026-11-18T18:00:00.000Z', locale: 'en-GB', timeZone: 'UTC' }))).toBe(
      "Replace volume `a`, the PostgreSQL databases in container `db` and create volume `n2` on uat with production's backup of Wed 18 Nov 18:00; no containers to stop; about 14 min.",
    );
  });

  it('formats dates and estimates', () => {
    expect(formatBackupDate('2026-11-21T18:00:00.000Z', 'en-GB', 'Europe/Paris')).toBe('Sat 21 Nov 19:00');
    expect(formatEstimate(5)).toBe('about 1 min');
    expect(formatEstimate(7500)).toBe('about 2 h 5 min');
  });
});
