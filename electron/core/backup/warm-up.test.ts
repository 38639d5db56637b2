import { describe, expect, it } from 'vitest';
import { warmUpTimelines } from './warm-up.js';

type Handlers = Parameters<typeof warmUpTimelines>[0];

function fake(repos: Array<{ id: string; name: string; kind: string }>, fail: Set<string> = new Set()) {
  const asked: Array<{ repositoryId: string; from?: string | undefined }> = [];
  const handlers = {
    repositories: { list: async () => repos },
    snapshots: {
      list: async (input: { repositoryId: string; from?: string | undefined }) => {
        asked.push(input);
        if (fail.has(input.repositoryId)) throw new Error('unreadable');
        return [];
      },
    },
  } as unknown as Handlers;
  return { handlers, asked };
}

describe('warmUpTimelines', () => {
  const now = () => Date.parse('2026-12-06T12:00:00Z');

  it('lists the newest month of local repositories only, never a remote one', async () => {
    const { handlers, asked } = fake([
      { id: 'local', name: 'local', kind: 'local' },
      { id: 'b', name: 'bucket', kind: 's3' },
      { id: 'annex', name: 'annex', kind: 'sftp' },
      { id: 'nas', name: 'nas', kind: 'local' },
    ]);
    expect(await warmUpTimelines(handlers, now)).toBe(2);
    expect(asked).toEqual([
      { repositoryId: 'local', from: '2026-11-05T12:00:00.000Z' },
      { repositoryId: 'nas', from: '2026-11-05T12:00:00.000Z' },
    ]);
  });

  it('a repository that cannot be listed is passed over, the others still listed', async () => {
    const { handlers, asked } = fake(
      [
        { id: 'gone', name: 'gone', kind: 'local' },
        { id: 'ok', name: 'ok', kind: 'local' },
      ],
      new Set(['gone']),
    );
    expect(await warmUpTimelines(handlers, now)).toBe(1);
    expect(asked.map((a) => a.repositoryId)).toEqual(['gone', 'ok']);
  });

  it('never throws, even when the repositories cannot be read', async () => {
    const handlers = { repositories: { list: async () => Promise.reject(new Error('broken config')) }, snapshots: { list: async () => [] } } as unknown as Handlers;
    expect(await warmUpTimelines(handlers, now)).toBe(0);
  });
});
