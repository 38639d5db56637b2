import type { SourceKind } from '../../shared/contract/index.js';
import { SOURCE_KINDS } from '../../shared/contract/source-kinds.js';
import { Segmented } from '../components';
import { nearestZoom, ZOOMS, type Filters } from './timelineModel';

/** Every kind the contract knows (a new kind appears here by itself). */
const KINDS = Object.keys(SOURCE_KINDS) as SourceKind[];

function FilterSelect({ label, all, value, options, onChange, testId }: { label: string; all: string; value: string; options: readonly string[]; onChange: (v: string) => void; testId: string }) {
  return (
    <select className={`input select filter-select${value ? ' is-set' : ''}`} aria-label={label} value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
      <option value="">{all}</option>
      {options.map((o) => (
        <option key={o} value={o}>
          {o}
        </option>
      ))}
    </select>
  );
}

/** Filters by set, host, source kind and tag (one value each: what people actually narrow by). */
export function TimelineFilters({ filters, onChange, sets, hosts, tags }: { filters: Filters; onChange: (f: Filters) => void; sets: string[]; hosts: string[]; tags: string[] }) {
  const one = <K extends keyof Filters>(key: K) => (v: string) => onChange({ ...filters, [key]: v ? [v] : [] });
  return (
    <div className="timeline-filters">
      <FilterSelect label="Backup set" all="All sets" value={filters.sets[0] ?? ''} options={sets} onChange={one('sets')} testId="filter-set" />
      <FilterSelect label="Host" all="All hosts" value={filters.hosts[0] ?? ''} options={hosts} onChange={one('hosts')} testId="filter-host" />
      <FilterSelect label="Source kind" all="All kinds" value={filters.kinds[0] ?? ''} options={KINDS} onChange={one('kinds')} testId="filter-kind" />
      <FilterSelect label="Tag" all="All tags" value={filters.tags[0] ?? ''} options={tags} onChange={one('tags')} testId="filter-tag" />
    </div>
  );
}

export function ZoomControl({ span, onZoom }: { span: number; onZoom: (span: number) => void }) {
  return (
    <Segmented
      label="Zoom"
      hideLabel
      value={nearestZoom(span)}
      onValueChange={(id) => onZoom(ZOOMS.find((z) => z.id === id)!.span)}
      options={ZOOMS.map((z) => ({ value: z.id, label: z.label, title: `Show ${z.label.toLowerCase()} across the axis` }))}
    />
  );
}
