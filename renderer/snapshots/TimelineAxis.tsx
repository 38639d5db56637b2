import { useEffect, useRef, useState } from 'react';
import { axisTicks, lowerBound, refKey, zoomWindow, type TimeWindow, type TimelineRef } from './timelineModel';

interface Props {
  /** Every ref in scope (already filtered), oldest first. */
  refs: readonly TimelineRef[];
  window: TimeWindow;
  onWindowChange: (w: TimeWindow) => void;
  colours: Map<string, string>;
  lanes: readonly string[];
  highlighted: ReadonlySet<string>;
  selected: string | null;
  asOfAt: number | null;
  onPick: (ref: TimelineRef) => void;
  /** Point-in-time archives: one lane each below the sets, its recoverable windows drawn as a band. */
  bands?: readonly { key: string; windows: readonly { from: number; to: number }[] }[];
}

const NO_BANDS: NonNullable<Props['bands']> = [];
const LANE = 18;
const TOP = 8;
const AXIS = 24;

/** The theme's colours, read from one computed style per draw (each getComputedStyle call costs a style pass). */
function cssVars(el: Element): (name: string) => string {
  const style = getComputedStyle(el);
  return (name) => style.getPropertyValue(name).trim() || '#888';
}

/**
 * The time axis: one lane per backup set, a tick per snapshot. Drawn on a canvas because 10,000
 * DOM nodes (or SVG circles) would make every zoom step a layout; the canvas redraws only what is
 * in the window (binary search over the sorted refs). Ctrl/⌘+wheel or a pinch zooms around the
 * pointer, the wheel or a drag pans.
 */
export function TimelineAxis({ refs, window: w, onWindowChange, colours, lanes, highlighted, selected, asOfAt, onPick, bands = NO_BANDS }: Props) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(800);
  const rows = Math.max(1, lanes.length) + bands.length;
  const height = TOP + rows * LANE + AXIS;
  const latest = useRef({ w, onWindowChange });
  latest.current = { w, onWindowChange };

  useEffect(() => {
    const el = canvasRef.current?.parentElement;
    if (!el) return;
    const ro = new ResizeObserver(([entry]) => entry && setWidth(Math.max(200, Math.floor(entry.contentRect.width))));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Wheel with a non-passive listener: ctrl+wheel (and the trackpad pinch, which browsers send as
  // ctrl+wheel) must not zoom the whole page.
  useEffect(() => {
    const c = canvasRef.current;
    if (!c) return;
    const onWheel = (e: WheelEvent) => {
      const { w: cur, onWindowChange: change } = latest.current;
      const rect = c.getBoundingClientRect();
      const anchor = Math.min(1, Math.max(0, (e.clientX - rect.left) / rect.width));
      e.preventDefault();
      if (e.ctrlKey || e.metaKey) {
        change(zoomWindow(cur, Math.exp(e.deltaY * 0.01), anchor));
      } else {
        const delta = (Math.abs(e.deltaX) > Math.abs(e.deltaY) ? e.deltaX : e.deltaY) / rect.width;
        const shift = (cur.end - cur.start) * delta;
        change({ start: cur.start + shift, end: cur.end + shift });
      }
    };
    c.addEventListener('wheel', onWheel, { passive: false });
    return () => c.removeEventListener('wheel', onWheel);
  }, []);

  // The first drawing waits until the frame that shows the list has been painted: it makes the
  // axis's date formatters and draws up to 10,000 ticks (~60 ms here), and in a cold open it ran
  // before the first rows reached the screen (bench/ui). Later drawings (zoom, pan) are immediate.
  const drawnOnce = useRef(false);
  useEffect(() => {
    const draw = () => {
      const c = canvasRef.current;
      if (!c) return;
      const dpr = window.devicePixelRatio || 1;
      c.width = width * dpr;
      c.height = height * dpr;
      const g = c.getContext('2d');
      if (!g) return;
      g.setTransform(dpr, 0, 0, dpr, 0, 0);
      g.clearRect(0, 0, width, height);
      const span = w.end - w.start;
      const x = (t: number) => ((t - w.start) / span) * width;
      const laneOf = new Map(lanes.map((l, i) => [l, i]));
      const cssVar = cssVars(c);
      const border = cssVar('--border');
      const faint = cssVar('--text-faint');
      const text = cssVar('--text');
      const accent = cssVar('--accent');
      const warning = cssVar('--warning');
      const axisY = TOP + (lanes.length + bands.length) * LANE + 4;

      // Lane guides and the axis with its ticks.
      g.strokeStyle = border;
      g.lineWidth = 1;
      for (let i = 0; i < lanes.length; i++) {
        const y = TOP + i * LANE + LANE / 2 + 0.5;
        g.beginPath();
        g.moveTo(0, y);
        g.lineTo(width, y);
        g.globalAlpha = 0.5;
        g.stroke();
        g.globalAlpha = 1;
      }
      g.font = '11px ' + cssVar('--font-sans');
      g.fillStyle = faint;
      g.textBaseline = 'top';
      for (const tick of axisTicks(w, Math.max(3, Math.floor(width / 110)))) {
        const tx = Math.round(x(tick.t)) + 0.5;
        g.beginPath();
        g.moveTo(tx, TOP - 4);
        g.lineTo(tx, axisY + 2);
        g.globalAlpha = 0.35;
        g.stroke();
        g.globalAlpha = 1;
        // A label that would run off the right edge is left out rather than cut.
        if (tx + 3 + g.measureText(tick.label).width <= width) g.fillText(tick.label, tx + 3, axisY + 4);
      }

      // Point-in-time bands: any moment inside can be recovered to, not only the ticks.
      const pitr = cssVar('--pitr-band');
      bands.forEach((b, i) => {
        const y = TOP + (lanes.length + i) * LANE + 3;
        for (const win of b.windows) {
          if (win.to < w.start || win.from > w.end) continue;
          const left = Math.max(0, x(win.from));
          const right = Math.min(width, x(win.to));
          g.fillStyle = pitr;
          g.globalAlpha = 0.35;
          g.fillRect(left, y, Math.max(2, right - left), LANE - 6);
          g.globalAlpha = 1;
          g.fillRect(left, y, Math.max(2, right - left), 2);
        }
      });

      // The snapshots in the window; at coarse zooms many share a pixel, so each lane remembers the
      // last pixel drawn and skips repeats (10,000 refs cost a few hundred fillRects).
      const from = lowerBound(refs, w.start - span * 0.01);
      const to = lowerBound(refs, w.end + span * 0.01);
      const lastPx = new Map<number, number>();
      for (let i = from; i < to; i++) {
        const r = refs[i]!;
        const lane = laneOf.get(r.set) ?? 0;
        const px = Math.round(x(r.t));
        const key = refKey(r);
        const special = highlighted.has(key) || key === selected;
        if (!special && lastPx.get(lane) === px) continue;
        lastPx.set(lane, px);
        g.fillStyle = colours.get(r.set) ?? accent;
        g.fillRect(px - 1.5, TOP + lane * LANE + 3, 3, LANE - 6);
      }
      // Rings last, so they sit above their neighbours.
      for (let i = from; i < to; i++) {
        const r = refs[i]!;
        const key = refKey(r);
        if (!highlighted.has(key) && key !== selected) continue;
        const lane = laneOf.get(r.set) ?? 0;
        g.strokeStyle = highlighted.has(key) ? warning : text;
        g.lineWidth = 2;
        g.strokeRect(Math.round(x(r.t)) - 4, TOP + lane * LANE + 1, 8, LANE - 2);
      }
      if (asOfAt != null && asOfAt >= w.start && asOfAt <= w.end) {
        const ax = Math.round(x(asOfAt)) + 0.5;
        g.strokeStyle = warning;
        g.setLineDash([4, 3]);
        g.lineWidth = 1.5;
        g.beginPath();
        g.moveTo(ax, 0);
        g.lineTo(ax, axisY);
        g.stroke();
        g.setLineDash([]);
      }
    };
    if (drawnOnce.current) return draw();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => {
        drawnOnce.current = true;
        draw();
      }, 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [refs, w, width, height, colours, lanes, highlighted, selected, asOfAt, bands]);

  // Click picks the nearest snapshot within 6 px; a drag pans.
  const drag = useRef<{ x: number; w: TimeWindow; moved: boolean } | null>(null);
  const onPointerDown = (e: React.PointerEvent<HTMLCanvasElement>) => {
    drag.current = { x: e.clientX, w, moved: false };
    e.currentTarget.setPointerCapture(e.pointerId);
  };
  const onPointerMove = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const d = drag.current;
    if (!d) return;
    const dx = e.clientX - d.x;
    if (Math.abs(dx) > 3) d.moved = true;
    if (!d.moved) return;
    const shift = -(dx / width) * (d.w.end - d.w.start);
    onWindowChange({ start: d.w.start + shift, end: d.w.end + shift });
  };
  const onPointerUp = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const d = drag.current;
    drag.current = null;
    if (!d || d.moved) return;
    const rect = e.currentTarget.getBoundingClientRect();
    const t = w.start + ((e.clientX - rect.left) / rect.width) * (w.end - w.start);
    const lane = Math.floor((e.clientY - rect.top - TOP) / LANE);
    const tol = (6 / rect.width) * (w.end - w.start);
    let best: TimelineRef | null = null;
    for (let i = lowerBound(refs, t - tol); i < refs.length && refs[i]!.t <= t + tol; i++) {
      const r = refs[i]!;
      if (lanes.length > 1 && lanes[lane] !== undefined && r.set !== lanes[lane]) continue;
      if (!best || Math.abs(r.t - t) < Math.abs(best.t - t)) best = r;
    }
    if (best) onPick(best);
  };

  return (
    <div className="timeline-axis" data-testid="timeline-axis">
      <canvas
        ref={canvasRef}
        style={{ width: `${width}px`, height: `${height}px` }}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        role="img"
        aria-label={`Time axis: ${refs.length.toLocaleString()} snapshots${bands.length ? `, ${bands.length} point-in-time window band(s)` : ''}; ctrl+wheel zooms, drag or wheel pans`}
      />
    </div>
  );
}
