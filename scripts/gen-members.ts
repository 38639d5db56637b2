// Writes shared/contract/members.ts from the contract (see shared/contract/members-source.ts).
import { writeFileSync } from 'node:fs';
import { membersSource } from '../shared/contract/members-source.js';

writeFileSync(new URL('../shared/contract/members.ts', import.meta.url), membersSource());
