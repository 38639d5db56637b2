/**
 * Resolves once the browser has painted the next frame (a requestAnimationFrame callback runs just
 * before the paint; a task queued from it runs after). Work that can wait behind what is on screen
 * now waits on this. A hidden page paints no frames, so a timer stands in after `atMostMs`.
 */
export function afterNextPaint(atMostMs = 250): Promise<void> {
  if (typeof requestAnimationFrame !== 'function') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      cancelAnimationFrame(frame);
      resolve();
    };
    const timer = setTimeout(done, atMostMs);
    const frame = requestAnimationFrame(() => setTimeout(done, 0));
  });
}
