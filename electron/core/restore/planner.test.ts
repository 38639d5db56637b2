import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ESTIMATE_BYTES_PER_SECOND, planRestore, protectedRefusal, sh, type PlanInput } from './planner.js';
import { manifestOf, postgresSource, volumeSource } from './testing/fixtures.js';

const uat = { id: 'h-uat', name: 'uat', protected: false, ssh: 'hindsight@127.0.0.1 -p 2223' };
const inventory: PlanInput['inventory'] = {
  volumes: [{ name: 'shop_files', sizeBytes: 1000 }],
  containers: [
    { name: 'shop-app-1', state: 'running', image: 'app', volumes: ['shop_files'] },
    { name: 'old-job', state: 'exited', image: 'app', volumes: ['shop_files'] },
    { name: 'shop-db-1', state: 'running', image: 'hindsight-lab/postgres:15', volumes: ['shop_pgdata'] },
  ],
};

function plan(over: Partial<PlanInput> = {}) {
  return planRestore({ manifest: manifestOf([volumeSource(), postgresSource()]), repositoryId: 'local', target: uat, map: {}, safetyCopy: true, inventory, ...over });
}

describe('planRestore', () => {
  it('orders the steps: pre-flight, stop, safety copies, restores, verifies, restart', () => {
    const p = plan();
    expect(p.blockers).toEqual([]);
    expect(p.steps.map((s) => `${s.kind}${s.source ? `:${s.source}` : ''}`)).toEqual([
      'preflight',
      'stop-users',
      'safety-copy:files',
      'safety-copy:db',
      'restore:files',
      'restore:db',
      'verify:files',
      'verify:db',
      'restart',
    ]);
    expect(p.targets.map((t) => [t.source, t.targetKind, t.target, t.create])).toEqual([
      ['files', 'volume', 'shop_files', false],
      ['db', 'container', 'shop-db-1', false],
    ]);
    expect(p.targets[0]!.users).toEqual([
      { name: 'shop-app-1', state: 'running' },
      { name: 'old-job', state: 'exited' },
    ]);
  });

  it('gives the equivalent shell commands a person could run', () => {
    const p = plan();
    const all = p.steps.flatMap((s) => s.commands);
    expect(all).toContain(`ssh hindsight@127.0.0.1 -p 2223 'docker stop shop-app-1'`);
    const restoreFiles = p.steps.find((s) => s.kind === 'restore' && s.source === 'files')!.commands[0]!;
    expect(restoreFiles).toMatch(/^cat data\/20261121T221530Z-shop-ab12\/files\.tar\.zst \| zstd -d \| ssh /);
    expect(restoreFiles).toContain('tar -C /v -xpf -');
    const restoreDb = p.steps.find((s) => s.kind === 'restore' && s.source === 'db')!.commands[0]!;
    expect(restoreDb).toContain('docker exec -i shop-db-1 psql -X -U postgres -d postgres');
    expect(p.steps.find((s) => s.kind === 'restart')!.commands).toEqual([`ssh hindsight@127.0.0.1 -p 2223 'docker start shop-app-1'`]);
    expect(p.steps.find((s) => s.kind === 'verify' && s.source === 'db')!.commands.join('\n')).toContain(`SELECT count(*) FROM "audit"."events"`);
  });

  it('with the agent on the host, a volume’s safety copy is planned as a volume kept there, a database’s as a dump file kept there', () => {
    const p = plan({ safetyOnHost: true });
    const files = p.steps.find((s) => s.kind === 'safety-copy' && s.source === 'files')!;
    expect(files.description).toMatch(/new volume on the host \(kept there, never sent here\)/);
    expect(files.commands[0]).toMatch(/docker volume create hindsight-safety-/);
    expect(files.commands[0]).not.toMatch(/zstd >/);
    const db = p.steps.find((s) => s.kind === 'safety-copy' && s.source === 'db')!;
    expect(db.description).toMatch(/into a file kept on the host by its agent \(never sent here\)/);
    // The dump is compressed and written on the host: the whole pipe runs in the one ssh command.
    expect(db.commands[0]).toMatch(/^ssh hindsight@127\.0\.0\.1 -p 2223 'docker exec shop-db-1 pg_dumpall -U postgres --clean --if-exists \| zstd > safety\/db\.sql\.zst'$/);
    const here = plan().steps.find((s) => s.kind === 'safety-copy' && s.source === 'db')!;
    expect(here.description).toMatch(/aside \(pg_dumpall, zstd\)/);
    expect(here.commands[0]).toMatch(/' \| zstd > safety\/db\.sql\.zst$/);
    expect(plan().steps.find((s) => s.kind === 'safety-copy' && s.source === 'files')!.commands[0]).toMatch(/zstd > /);
  });

  it('counts the bytes (stored + safety copy) and estimates the time from the documented throughput', () => {
    const p = plan();
    const stored = 4 * 1024 * 1024 + 512 * 1024;
    const safety = 1000 + 2 * 1024 * 1024; // volume size from the inventory, dump estimated by the snapshot's raw size
    expect(p.bytes).toBe(stored + safety);
    expect(p.estimatedSeconds).toBe(Math.ceil((stored + safety) / ESTIMATE_BYTES_PER_SECOND + 2 * 3 + 2 * 5));
  });

  it('maps a volume to a new name (created, no safety copy needed) and a database to another container', () => {
    const p = plan({ map: { files: 'restored files', db: 'other-db' }, inventory: { ...inventory, containers: [...inventory.containers, { name: 'other-db', state: 'running', image: 'pg', volumes: [] }] } });
    expect(p.blockers).toEqual([]);
    expect(p.targets.map((t) => [t.target, t.create, t.users.length])).toEqual([
      ['restored files', true, 0],
      ['other-db', false, 0],
    ]);
    expect(p.steps.map((s) => s.kind)).not.toContain('stop-users');
    expect(p.steps.filter((s) => s.kind === 'safety-copy').map((s) => s.source)).toEqual(['db']);
    expect(p.steps.find((s) => s.kind === 'restore' && s.source === 'files')!.commands[0]).toContain(`docker volume create '\\''restored files'\\'' && docker run`);
    expect(p.warnings.join(' ')).toContain('will be created');
  });

  it('blocks unknown sources, missing or stopped database containers, unsupported kinds and two sources on one target', () => {
    expect(plan({ map: { nope: 'x' } }).blockers.join(' ')).toContain('no source "nope"');
    expect(plan({ map: { db: 'ghost' } }).blockers.join(' ')).toContain('no container ghost');
    const stopped = plan({ inventory: { ...inventory, containers: inventory.containers.map((c) => (c.name === 'shop-db-1' ? { ...c, state: 'exited' } : c)) } });
    expect(stopped.blockers.join(' ')).toContain('is exited');
    const mongo = planRestore({ manifest: manifestOf([volumeSource({ name: 'm', kind: 'mongo', format: 'mongo-archive' })]), repositoryId: 'local', target: uat, map: {}, safetyCopy: true, inventory });
    expect(mongo.blockers.join(' ')).toContain('does not restore MongoDB');
    expect(mongo.blockers.join(' ')).toContain("not in Debian's archive");
    expect(mongo.blockers.join(' ')).toContain('mongorestore --archive --drop');
    const twice = planRestore({ manifest: manifestOf([volumeSource(), volumeSource({ name: 'files2' })]), repositoryId: 'local', target: uat, map: {}, safetyCopy: true, inventory });
    expect(twice.blockers.join(' ')).toContain('same volume shop_files');
  });

  it('plans a MariaDB source into a running container: dump of all aside, client load, row-count commands', () => {
    const maria = volumeSource({
      name: 'db',
      kind: 'mariadb',
      format: 'sql',
      origin: { hostId: 'h-sci', hostName: 'science', container: 'maria-db-1' },
      objectKey: 'data/x/db.sql.zst',
      databaseRowCounts: { inventory: { items: 60 } },
    });
    const inv = { ...inventory, containers: [...inventory.containers, { name: 'maria-db-2', state: 'running', image: 'mariadb', volumes: [] }] };
    const p = planRestore({ manifest: manifestOf([maria]), repositoryId: 'local', target: uat, map: { db: 'maria-db-2' }, safetyCopy: true, inventory: inv });
    expect(p.blockers).toEqual([]);
    expect(p.targets[0]).toMatchObject({ kind: 'mariadb', targetKind: 'container', target: 'maria-db-2' });
    const cmds = (kind: string) => p.steps.find((s) => s.kind === kind)!.commands.join('\n');
    expect(cmds('safety-copy')).toContain('mariadb-dump');
    expect(cmds('restore')).toMatch(/zstd -d \| ssh .*docker exec -i maria-db-2 sh -c/);
    expect(cmds('verify')).toContain('# 60');
    const stopped = planRestore({ manifest: manifestOf([maria]), repositoryId: 'local', target: uat, map: { db: 'old-job' }, safetyCopy: true, inventory });
    expect(stopped.blockers.join(' ')).toContain('must be running to load a dump');
  });

  it('plans a directory source into the container named (its path from the manifest)', () => {
    const dir = volumeSource({ name: 'conf', kind: 'directory', origin: { hostId: 'h-prod', hostName: 'production', container: 'shop-app-1', path: '/srv/conf' } });
    const p = planRestore({ manifest: manifestOf([dir]), repositoryId: 'local', target: uat, map: {}, safetyCopy: true, inventory });
    expect(p.blockers).toEqual([]);
    expect(p.targets[0]).toMatchObject({ kind: 'directory', targetKind: 'container', target: 'shop-app-1', create: false, users: [] });
    expect(p.steps.map((s) => s.kind)).toEqual(['preflight', 'safety-copy', 'restore', 'verify']);
    expect(p.steps[2]!.commands[0]).toContain('tar -C /srv/conf -xpf -');
    const noPath = planRestore({ manifest: manifestOf([{ ...dir, origin: { hostId: 'h', hostName: 'p', container: 'shop-app-1' } }]), repositoryId: 'local', target: uat, map: {}, safetyCopy: true, inventory });
    expect(noPath.blockers.join(' ')).toContain('names no directory to restore into');
    const stopped = planRestore({ manifest: manifestOf([dir]), repositoryId: 'local', target: uat, map: { conf: 'old-job' }, safetyCopy: true, inventory });
    expect(stopped.blockers.join(' ')).toContain('must be running to clear /srv/conf');
  });

  it('a directory from the manifest is only a default: the user may change it, system directories are refused', () => {
    const dir = volumeSource({ name: 'conf', kind: 'directory', origin: { hostId: 'h-prod', hostName: 'production', container: 'shop-app-1', path: '/srv/conf' } });
    const moved = planRestore({ manifest: manifestOf([dir]), repositoryId: 'local', target: uat, map: {}, paths: { conf: '/opt/app/conf/' }, safetyCopy: true, inventory });
    expect(moved.blockers).toEqual([]);
    expect(moved.targets[0]!.path).toBe('/opt/app/conf');
    expect(moved.steps.find((s) => s.kind === 'restore')!.commands[0]).toContain("tar -C /opt/app/conf -xpf -");
    for (const evil of ['/', '/etc', '/usr', '/bin', '/usr/lib/x86_64-linux-gnu', '/etc/cron.d', '/root']) {
      const fromManifest = planRestore({ manifest: manifestOf([{ ...dir, origin: { ...dir.origin, path: evil } }]), repositoryId: 'local', target: uat, map: {}, safetyCopy: true, inventory });
      expect(fromManifest.blockers.join(' '), evil).toContain('is a system directory');
      const fromUser = planRestore({ manifest: manifestOf([dir]), repositoryId: 'local', target: uat, map: {}, paths: { conf: evil }, safetyCopy: true, inventory });
      expect(fromUser.blockers.join(' '), evil).toContain('is a system directory');
    }
  });

  it('quotes names from the manifest in the equivalent commands, so a pasted command does what it says', () => {
    const pg = volumeSource({ name: 'db', kind: 'postgres', format: 'pg-custom', objectKey: 'data/x/db.dump.zst', origin: { hostId: 'h', hostName: 'p', container: 'shop-db-1', database: "x'; rm -rf / #" }, rowCounts: { 'a"b; DROP TABLE t': 1, 'sch.t$(reboot)': 2 } });
    const p = planRestore({ manifest: manifestOf([pg]), repositoryId: 'local', target: uat, map: {}, safetyCopy: false, inventory });
    const all = p.steps.flatMap((s) => s.commands).join('\n');
    expect(all).toContain(`"a""b; DROP TABLE t"`);
    expect(all).toContain(`"sch"."t$(reboot)"`);
    expect(all).not.toMatch(/-d x'/);
    // Each command is one shell word list: bash -n parses it (no stray quote from a name).
    for (const c of p.steps.flatMap((s) => s.commands)) expect(() => execFileSync('bash', ['-n', '-c', c])).not.toThrow();
  });

  it('restores only the chosen sources', () => {
    const p = plan({ sources: ['db'] });
    expect(p.targets.map((t) => t.source)).toEqual(['db']);
    expect(p.steps.map((s) => s.kind)).toEqual(['preflight', 'safety-copy', 'restore', 'verify']);
  });

  it('refuses a protected host unless its exact name is typed', () => {
    const prod = { id: 'h-prod', name: 'production', protected: true };
    expect(plan({ target: prod }).blockers.join(' ')).toContain('--confirm production');
    expect(plan({ target: prod, confirm: 'Production' }).blockers.join(' ')).toContain('does not match');
    expect(plan({ target: prod, confirm: 'production' }).blockers).toEqual([]);
    expect(protectedRefusal(uat, undefined)).toBeUndefined();
  });

  it('without a safety copy: no copy step, and a warning', () => {
    const p = plan({ safetyCopy: false });
    expect(p.steps.map((s) => s.kind)).not.toContain('safety-copy');
    expect(p.warnings.join(' ')).toContain('cannot be rolled back');
  });

  it('names decryption and gzip in the commands; runs locally without ssh', () => {
    const p = planRestore({
      manifest: manifestOf([volumeSource({ compression: 'gzip', encryption: 'age-recipients', objectKey: 'data/x/files.tar.gz.age' })]),
      repositoryId: 'local',
      target: { id: 'local', name: 'local', protected: false },
      map: {},
      safetyCopy: true,
      inventory,
    });
    expect(p.steps.find((s) => s.kind === 'restore')!.commands[0]).toMatch(/^age -d -i key\.txt data\/x\/files\.tar\.gz\.age \| gzip -d \| docker run --rm -i/);
  });

  it('checks the row counts of every database of a dumpall (databaseRowCounts)', () => {
    const p = planRestore({
      manifest: manifestOf([postgresSource({ rowCounts: undefined, databaseRowCounts: { shop: { customers: 50 }, crm: { leads: 3 } } })]),
      repositoryId: 'local',
      target: uat,
      map: {},
      safetyCopy: true,
      inventory,
    });
    const verify = p.steps.find((s) => s.kind === 'verify')!.commands.join('\n');
    expect(verify).toMatch(/-d shop -Atc .*SELECT count\(\*\) FROM "customers".*# 50/);
    expect(verify).toMatch(/-d crm -Atc .*SELECT count\(\*\) FROM "leads".*# 3/);
  });

  it('quotes for the shell', () => {
    expect(sh('plain-name_1.0')).toBe('plain-name_1.0');
    expect(sh("it's here")).toBe(`'it'\\''s here'`);
  });
});
