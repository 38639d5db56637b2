/**
 * The one contract between the UI (renderer, CLI) and the backend (electron/core). One file per
 * domain; this index assembles them. Bump CONTRACT_VERSION on any incompatible change: the
 * transports refuse a client of another version at the handshake.
 */
import { agentContract } from './agent.js';
import { backupContract, backupSetsContract, snapshotsContract } from './backup.js';
import { hostsContract } from './hosts.js';
import { inventoryContract, servicesContract } from './inventory.js';
import { logsContract } from './logs.js';
import { repositoriesContract } from './repositories.js';
import { operationsContract } from './operations.js';
import { plansContract } from './plans.js';
import { pitrContract } from './pitr.js';
import { restoreContract, verifyContract } from './restore.js';
import { systemContract } from './system.js';
import { tasksContract } from './tasks.js';
import type { Member } from './define.js';

export { CONTRACT_VERSION } from './version.js';

export const contract = {
  system: systemContract,
  hosts: hostsContract,
  inventory: inventoryContract,
  services: servicesContract,
  logs: logsContract,
  tasks: tasksContract,
  repositories: repositoriesContract,
  restore: restoreContract,
  verify: verifyContract,
  operations: operationsContract,
  backupSets: backupSetsContract,
  backup: backupContract,
  snapshots: snapshotsContract,
  plans: plansContract,
  agent: agentContract,
  pitr: pitrContract,
} as const;

export type Contract = typeof contract;
export type DomainName = keyof Contract;
/** "hosts.list", "logs.follow", … */
export type MethodName = { [D in DomainName]: `${D}.${Extract<keyof Contract[D], string>}` }[DomainName];

export function lookupMember(method: string): Member | undefined {
  const [domain, name, ...rest] = method.split('.');
  if (!domain || !name || rest.length) return undefined;
  // Own properties only: "constructor.name" must not reach Object.prototype.
  if (!Object.prototype.hasOwnProperty.call(contract, domain)) return undefined;
  const d = (contract as Record<string, Record<string, Member>>)[domain];
  if (!d || !Object.prototype.hasOwnProperty.call(d, name)) return undefined;
  return d[name];
}

export * from './agent.js';
export * from './backup.js';
export * from './define.js';
export * from './errors.js';
export * from './hosts.js';
export * from './inventory.js';
export * from './logs.js';
export * from './repositories.js';
export * from './plans.js';
export * from './pitr.js';
export * from './restore.js';
export * from './source-kinds.js';
export * from './operations.js';
export * from './system.js';
export * from './tasks.js';
export * from './envelope.js';
export * from './types.js';
