// Generated from the contract by `npm run gen:members` (shared/contract/members-source.ts); electron/core/rpc/contract-members.test.ts checks it.
import type { Member } from './define.js';

/** Every domain's members and how each is called: all the RPC client needs of the contract. */
export const MEMBER_KINDS = {
  system: { info: 'invoke' },
  hosts: { list: 'invoke', get: 'invoke', add: 'invoke', update: 'invoke', remove: 'invoke', check: 'invoke', probe: 'invoke', acceptHostKey: 'invoke', importSshConfig: 'invoke', discoverLocal: 'invoke', onChanged: 'event' },
  inventory: { get: 'invoke', onChanged: 'event' },
  services: { container: 'invoke', stack: 'task' },
  logs: { follow: 'stream' },
  tasks: { list: 'invoke', get: 'invoke', cancel: 'invoke' },
  repositories: { list: 'invoke', add: 'invoke', update: 'invoke', remove: 'invoke', check: 'invoke', init: 'invoke', onChanged: 'event' },
  restore: { plan: 'invoke', preflight: 'invoke', run: 'task' },
  verify: { run: 'task' },
  operations: { list: 'invoke', get: 'invoke', logs: 'invoke', rollback: 'task', audit: 'invoke', onChanged: 'event' },
  backupSets: { list: 'invoke', add: 'invoke', remove: 'invoke' },
  backup: { discover: 'invoke', run: 'task' },
  snapshots: { list: 'invoke', get: 'invoke', trust: 'invoke', asOf: 'invoke', summaries: 'invoke', files: 'invoke', onChanged: 'event' },
  plans: { list: 'invoke', get: 'invoke', add: 'invoke', remove: 'invoke', pause: 'invoke', resume: 'invoke', run: 'task', prune: 'invoke' },
  agent: { status: 'invoke', install: 'task', upgrade: 'task', remove: 'task' },
  pitr: { status: 'invoke', enable: 'task', disable: 'task', restore: 'task' },
} as const satisfies Record<string, Record<string, Member['kind']>>;
