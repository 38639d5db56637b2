/**
 * The Repositories screen's state: the saved repositories, each one's last check (reachable? a
 * Hindsight repository? empty and ready to be initialised? an SFTP host key to trust?), and the
 * add/edit/remove dialogs.
 */
import { create } from 'zustand';
import type { Repository, RepositoryCheckResult, RepositoryInput } from '../../shared/contract/index.js';
import { requireClient } from '../app/useConnectionStore';
import { toErrorInfo, type ErrorInfo } from '../app/errors';

export type CheckState = { status: 'checking' } | { status: 'done'; result: RepositoryCheckResult } | { status: 'error'; error: ErrorInfo };
export type RepoDialog = { mode: 'add' } | { mode: 'edit'; repo: Repository } | { mode: 'remove'; repo: Repository } | null;

interface RepositoriesStore {
  repos: Repository[] | null;
  error: ErrorInfo | null;
  checks: Record<string, CheckState>;
  /** An init running, by repository id. */
  initialising: Record<string, boolean>;
  dialog: RepoDialog;
  load(): Promise<void>;
  check(id: string): Promise<void>;
  init(id: string): Promise<void>;
  trustHostKey(id: string, hostPattern: string, fingerprint: string): Promise<void>;
  /** Saves (adds, or updates `editingId`) and checks it right away, as a user expects after "Save". */
  save(input: RepositoryInput, editingId?: string): Promise<Repository>;
  remove(id: string): Promise<void>;
  open(dialog: RepoDialog): void;
}

export const useRepositoriesStore = create<RepositoriesStore>((set, get) => ({
  repos: null,
  error: null,
  checks: {},
  initialising: {},
  dialog: null,

  async load() {
    try {
      set({ repos: await requireClient().repositories.list(), error: null });
    } catch (e) {
      set({ error: toErrorInfo(e) });
    }
  },

  async check(id) {
    set({ checks: { ...get().checks, [id]: { status: 'checking' } } });
    let next: CheckState;
    try {
      next = { status: 'done', result: await requireClient().repositories.check({ id }) };
    } catch (e) {
      next = { status: 'error', error: toErrorInfo(e) };
    }
    set({ checks: { ...get().checks, [id]: next } });
  },

  async init(id) {
    set({ initialising: { ...get().initialising, [id]: true } });
    try {
      await requireClient().repositories.init({ id });
    } catch (e) {
      set({ checks: { ...get().checks, [id]: { status: 'error', error: toErrorInfo(e) } } });
      return;
    } finally {
      set({ initialising: { ...get().initialising, [id]: false } });
    }
    await get().check(id);
  },

  async trustHostKey(id, hostPattern, fingerprint) {
    await requireClient().hosts.acceptHostKey({ hostPattern, fingerprint });
    await get().check(id);
  },

  async save(input, editingId) {
    const client = requireClient();
    const repo = editingId ? await client.repositories.update({ id: editingId, repository: input }) : await client.repositories.add(input);
    await get().load();
    void get().check(repo.id);
    return repo;
  },

  async remove(id) {
    await requireClient().repositories.remove({ id });
    const { [id]: _gone, ...checks } = get().checks;
    set({ checks });
    await get().load();
  },

  open(dialog) {
    set({ dialog });
  },
}));
