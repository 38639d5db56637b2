/**
 * Routing by the URL hash, so it survives reloads, works under file:// (Electron) and leaves the web
 * mode's ?token= untouched:
 *
 *   #/                                   hosts overview
 *   #/hosts/<hostId>                     a host's page
 *   #/snapshots[?repo=<id>]              the snapshot timeline (one repository, or all)
 *   #/snapshots/<repoId>/<snapshotId>    a snapshot's details
 *   #/restore[?repo=&snapshot=&asOf=]    the restore wizard, optionally prefilled
 *   #/operations                         running and past operations, audit trail
 *   #/operations/<id>                    one operation (steps, progress, log, result)
 *   #/repositories                       where snapshots are kept: add, test, initialise, edit, remove
 *   #/backups                            backup plans, how fresh their backups are, retention preview
 */
export type Route =
  | { page: 'overview' }
  | { page: 'host'; hostId: string }
  | { page: 'snapshots'; repositoryId?: string }
  | { page: 'snapshot'; repositoryId: string; snapshotId: string }
  | { page: 'restore'; repositoryId?: string; snapshotId?: string; asOf?: string }
  | { page: 'operations' }
  | { page: 'operation'; id: string }
  | { page: 'repositories' }
  | { page: 'backups' };

export type PageName = Route['page'];

const dec = decodeURIComponent;
const enc = encodeURIComponent;

function query(hash: string): URLSearchParams {
  const i = hash.indexOf('?');
  return new URLSearchParams(i >= 0 ? hash.slice(i + 1) : '');
}

function opt<K extends string>(key: K, value: string | null): { [P in K]?: string } {
  return (value ? { [key]: value } : {}) as { [P in K]?: string };
}

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').split('?')[0] ?? '';
  const parts = path.split('/').filter(Boolean);
  const q = query(hash);
  switch (parts[0]) {
    case 'hosts':
      return parts[1] ? { page: 'host', hostId: dec(parts[1]) } : { page: 'overview' };
    case 'snapshots':
      if (parts[1] && parts[2]) return { page: 'snapshot', repositoryId: dec(parts[1]), snapshotId: dec(parts[2]) };
      return { page: 'snapshots', ...opt('repositoryId', q.get('repo')) };
    case 'restore':
      return { page: 'restore', ...opt('repositoryId', q.get('repo')), ...opt('snapshotId', q.get('snapshot')), ...opt('asOf', q.get('asOf')) };
    case 'operations':
      return parts[1] ? { page: 'operation', id: dec(parts[1]) } : { page: 'operations' };
    case 'repositories':
      return { page: 'repositories' };
    case 'backups':
      return { page: 'backups' };
    default:
      return { page: 'overview' };
  }
}

export function formatRoute(route: Route): string {
  const withQuery = (base: string, params: Record<string, string | undefined>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
    const s = q.toString();
    return s ? `${base}?${s}` : base;
  };
  switch (route.page) {
    case 'host':
      return `#/hosts/${enc(route.hostId)}`;
    case 'snapshots':
      return withQuery('#/snapshots', { repo: route.repositoryId });
    case 'snapshot':
      return `#/snapshots/${enc(route.repositoryId)}/${enc(route.snapshotId)}`;
    case 'restore':
      return withQuery('#/restore', { repo: route.repositoryId, snapshot: route.snapshotId, asOf: route.asOf });
    case 'operations':
      return '#/operations';
    case 'operation':
      return `#/operations/${enc(route.id)}`;
    case 'repositories':
      return '#/repositories';
    case 'backups':
      return '#/backups';
    default:
      return '#/';
  }
}

