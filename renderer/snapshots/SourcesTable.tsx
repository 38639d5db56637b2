import { traitsOf } from '../../shared/contract/source-kinds.js';
import type { Manifest } from '../../shared/contract/index.js';
import { formatBytes } from '../app/format';
import { Badge, CopyText } from '../components';

type Source = Manifest['sources'][number];

/** Where a source came from, in words a person can check. */
export function describeOrigin(s: Source): string {
  const o = s.origin;
  const parts: string[] = [];
  if (o.volume) parts.push(`volume ${o.volume}`);
  if (o.container) parts.push(`${traitsOf(s.kind)?.target === 'volume' ? 'used by' : 'container'} ${o.container}`);
  if (o.database) parts.push(`database ${o.database}`);
  if (o.path) parts.push(o.path);
  if (o.engineVersion) parts.push(o.engineVersion);
  return `${parts.join(' · ') || '—'} on ${o.hostName}`;
}

/** An incremental level: which one, and the snapshots holding the levels it builds on (restored first). */
function LevelNote({ level, chain }: { level: number; chain: string[] }) {
  return (
    <div className="small level-note" data-testid="level-note" title={chain.length ? `What changed since level ${level - 1}. Restored after: ${chain.join(', ')}` : 'A full level: the start of a chain'}>
      <span className="level-badge">level {level}</span>{' '}
      <span className="text-faint">{level === 0 ? '· full' : `· on ${chain.length} earlier level${chain.length === 1 ? '' : 's'}`}</span>
    </div>
  );
}

const ratio = (s: Source) => (s.rawBytes > 0 ? `${Math.round((s.storedBytes / s.rawBytes) * 100)} %` : '—');

/** The sources of a snapshot: one block each, with the figures and checksums a by-hand restore needs. */
export function SourcesTable({ manifest }: { manifest: Manifest }) {
  return (
    <div className="table-wrap">
      <table className="table sources-table" aria-label="Sources">
        <thead>
          <tr>
            <th scope="col">Source</th>
            <th scope="col">Origin</th>
            <th scope="col" className="align-right">Raw</th>
            <th scope="col" className="align-right">Stored</th>
            <th scope="col">Format</th>
            <th scope="col">SHA-256 · object key</th>
          </tr>
        </thead>
        <tbody>
          {manifest.sources.map((s) => (
            <tr key={s.name} aria-label={`Source ${s.name}`} data-testid="source-row">
              <td>
                <div className="source-name">{s.name}</div>
                <Badge tone={traitsOf(s.kind)?.holds === 'databases' ? 'purple' : 'info'}>{s.kind}</Badge>
                {s.fileCount != null && <div className="text-faint small">{s.fileCount.toLocaleString()} entries</div>}
                {s.incremental && <LevelNote level={s.incremental.level} chain={s.incremental.chain.map((c) => c.snapshotId)} />}
              </td>
              <td className="origin-cell">{describeOrigin(s)}</td>
              <td className="align-right mono">{formatBytes(s.rawBytes)}</td>
              <td className="align-right mono">
                {formatBytes(s.storedBytes)}
                <div className="text-faint small">{ratio(s)} of raw</div>
              </td>
              <td>
                <div className="mono">
                  {s.format} · {s.compression}
                </div>
                <div className="small">{s.encryption === 'none' ? <span className="text-faint">not encrypted</span> : <Badge tone="success">{s.encryption}</Badge>}</div>
              </td>
              <td className="checksum-cell">
                <div><span className="checksum-label">raw</span><CopyText value={s.rawSha256} label={`raw SHA-256 of ${s.name}`} shorten={20} /></div>
                <div><span className="checksum-label">stored</span><CopyText value={s.storedSha256} label={`stored SHA-256 of ${s.name}`} shorten={20} /></div>
                <div><span className="checksum-label">object</span><CopyText value={s.objectKey} label={`object key of ${s.name}`} shorten={28} /></div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
