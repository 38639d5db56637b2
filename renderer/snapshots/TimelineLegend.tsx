/** Which colour is which backup set, and the host(s) it backs up. */
export function TimelineLegend({ lanes, colours, setHosts }: { lanes: readonly string[]; colours: Map<string, string>; setHosts: Map<string, Set<string>> }) {
  return (
    <ul className="timeline-legend" aria-label="Legend">
      {lanes.map((set) => (
        <li key={set}>
          <span className="snap-swatch" style={{ background: colours.get(set) }} aria-hidden />
          <span className="legend-set">{set}</span>
          {setHosts.get(set)?.size ? <span className="legend-host">{[...setHosts.get(set)!].join(', ')}</span> : null}
        </li>
      ))}
    </ul>
  );
}
