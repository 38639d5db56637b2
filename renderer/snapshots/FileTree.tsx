import { useEffect, useState } from 'react';
import { ChevronDown, ChevronRight, File, Folder, FolderOpen, Link } from 'lucide-react';
import type { FileEntryView } from '../../shared/contract/index.js';
import { formatBytes, pluralize } from '../app/format';
import { Spinner } from '../components';
import { dirKey, useSnapshotStore } from './useSnapshotStore';

const modeString = (mode: number) =>
  [6, 3, 0].map((shift) => ((mode >> shift) & 4 ? 'r' : '-') + ((mode >> shift) & 2 ? 'w' : '-') + ((mode >> shift) & 1 ? 'x' : '-')).join('');
const mtime = (s: number) => new Date(s * 1000).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short', hour12: false });
const byDirThenName = (a: FileEntryView, b: FileEntryView) => (a.type === 'dir') !== (b.type === 'dir') ? (a.type === 'dir' ? -1 : 1) : a.name.localeCompare(b.name);

/** One directory's entries; sub-directories load when opened (snapshots.files, one call per directory). */
function DirEntries({ source, dir, depth }: { source: string; dir: string; depth: number }) {
  const state = useSnapshotStore((s) => s.dirs[dirKey(source, dir)]);
  const loadDir = useSnapshotStore((s) => s.loadDir);
  const [open, setOpen] = useState<Record<string, boolean>>({});
  useEffect(() => void loadDir(source, dir), [source, dir, loadDir]);

  const pad = { paddingLeft: `${12 + depth * 18}px` };
  if (!state || state.loading) {
    return (
      <li className="tree-row tree-note" style={pad}>
        <Spinner size={12} /> Reading the file index…
      </li>
    );
  }
  if (state.error) {
    return (
      <li className="tree-row tree-note tree-error" style={pad}>
        {state.error.code === 'NOT_FOUND' ? 'This snapshot has no file index for this source.' : state.error.message}
      </li>
    );
  }
  const data = state.data!;
  if (!data.entries.length) {
    return (
      <li className="tree-row tree-note" style={pad}>
        Empty directory
      </li>
    );
  }
  return (
    <>
      {[...data.entries].sort(byDirThenName).map((e) => {
        const isDir = e.type === 'dir';
        const isOpen = !!open[e.path];
        return (
          <li key={e.path} className="tree-item">
            <div
              className={`tree-row${isDir ? ' is-dir' : ''}`}
              style={pad}
              role="treeitem"
              aria-expanded={isDir ? isOpen : undefined}
              aria-level={depth + 1}
              data-testid="tree-row"
              data-path={e.path}
              tabIndex={isDir ? 0 : -1}
              onClick={() => isDir && setOpen({ ...open, [e.path]: !isOpen })}
              onKeyDown={(ev) => isDir && (ev.key === 'Enter' || ev.key === ' ') && (ev.preventDefault(), setOpen({ ...open, [e.path]: !isOpen }))}
            >
              <span className="tree-caret" aria-hidden>
                {isDir ? isOpen ? <ChevronDown size={13} /> : <ChevronRight size={13} /> : null}
              </span>
              <span className="tree-icon" aria-hidden>
                {isDir ? isOpen ? <FolderOpen size={14} /> : <Folder size={14} /> : e.type === 'symlink' || e.type === 'hardlink' ? <Link size={14} /> : <File size={14} />}
              </span>
              <span className="tree-name">
                {e.name}
                {e.linkname && <span className="text-faint"> → {e.linkname}</span>}
              </span>
              <span className="tree-meta mono">{isDir ? (e.children == null ? '' : e.children === 0 ? 'empty' : pluralize(e.children, 'item')) : e.type === 'file' ? formatBytes(e.size) : '—'}</span>
              <span className="tree-meta mono tree-mode">{modeString(e.mode)}</span>
              <span className="tree-meta mono tree-owner">{e.uid}:{e.gid}</span>
              <span className="tree-meta tree-mtime">{mtime(e.mtime)}</span>
            </div>
            {isDir && isOpen && (
              <ul role="group" className="tree-group">
                <DirEntries source={source} dir={e.path} depth={depth + 1} />
              </ul>
            )}
          </li>
        );
      })}
      {data.truncated && (
        <li className="tree-row tree-note" style={pad}>
          Showing the first {data.entries.length.toLocaleString()} of {data.total.toLocaleString()} entries.
        </li>
      )}
    </>
  );
}

/** The browsable file tree of a volume (or directory) source, from the snapshot's file index. */
export function FileTree({ source }: { source: string }) {
  return (
    <div className="file-tree" data-testid="file-tree">
      <div className="tree-header" aria-hidden>
        <span>Name</span>
        <span className="tree-meta">Size</span>
        <span className="tree-meta tree-mode">Mode</span>
        <span className="tree-meta tree-owner">Owner</span>
        <span className="tree-meta tree-mtime">Modified</span>
      </div>
      <ul role="tree" aria-label={`Files of ${source}`} className="tree-root">
        <DirEntries source={source} dir="" depth={0} />
      </ul>
    </div>
  );
}
