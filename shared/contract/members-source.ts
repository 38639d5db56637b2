/**
 * Writes shared/contract/members.ts from the contract (`npm run gen:members`); members.test.ts
 * fails when the file and the contract differ. Kept apart from the contract so the renderer's
 * bundle needs no schema library to know which methods exist and how each is called.
 */
import { contract } from './index.js';

export function membersSource(): string {
  const lines = Object.entries(contract).map(([domain, members]) => {
    const inner = Object.entries(members as Record<string, { kind: string }>)
      .map(([name, m]) => `${name}: '${m.kind}'`)
      .join(', ');
    return `  ${domain}: { ${inner} },`;
  });
  return [
    '// Generated from the contract by `npm run gen:members` (shared/contract/members-source.ts); electron/core/rpc/contract-members.test.ts checks it.',
    "import type { Member } from './define.js';",
    '',
    '/** Every domain\'s members and how each is called: all the RPC client needs of the contract. */',
    'export const MEMBER_KINDS = {',
    ...lines,
    "} as const satisfies Record<string, Record<string, Member['kind']>>;",
    '',
  ].join('\n');
}
