/** Which colour is which backup set, and the host(s) it backs up. */
export function TimelineLegend({ lanes, colours, setHosts, bands = [] }: { lanes: readonly string[]; colours: Map<string, string>; setHosts: Map<string, Set<string>>; bands?: readonly { key: string; label: string }[] }) {
  return (
    <ul className="timeline-legend" aria-label="Legend">
      {lanes.map((set) => (
        <li key={set}>
          <span className="snap-swatch" style={{ background: colours.get(set) }} aria-hidden />
          <span className="legend-set">{set}</span>
          {setHosts.get(set)?.size ? <span className="legend-host">{[...setHosts.get(set)!].join(', ')}</span> : null}
        </li>
      ))}
      {bands.map((b) => (
        <li key={b.key}>
          <span className="snap-swatch pitr-swatch" aria-hidden />
          <span className="legend-set">point-in-time</span>
          <span className="legend-host">{b.label}</span>
        </li>
      ))}
    </ul>
  );
}
