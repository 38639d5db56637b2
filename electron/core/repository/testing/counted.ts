/** A view of a backend that counts the objects it is asked for — reads and listings — for tests of request costs. */
import type { RepositoryBackend } from '../backend.js';

export function counted(b: RepositoryBackend): { view: RepositoryBackend; n: { gets: number; lists: number } } {
  const n = { gets: 0, lists: 0 };
  const view = Object.create(b) as RepositoryBackend;
  view.getObject = (...a: Parameters<RepositoryBackend['getObject']>) => (n.gets++, b.getObject(...a));
  view.list = (...a: Parameters<RepositoryBackend['list']>) => (n.lists++, b.list(...a));
  return { view, n };
}
