import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { membersSource } from '../../../shared/contract/members-source.js';

describe('the contract\'s member list (members.ts) for clients without zod', () => {
  it('is the contract\'s: run `npm run gen:members` after changing the contract', () => {
    expect(readFileSync(new URL('../../../shared/contract/members.ts', import.meta.url), 'utf8')).toBe(membersSource());
  });
});
