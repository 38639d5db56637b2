/// <reference lib="dom" />
/** When a page painted its first snapshot row, measured in the page (bench/ui). */
import type { Page } from '@playwright/test';

/**
 * Runs in the page before its own scripts: notes the frame in which the first row, and the first
 * row with its size, are in the document (a requestAnimationFrame callback runs just before that
 * frame is painted). Read in the page rather than by Playwright's polling: on 2 busy cores its
 * round trips noticed a row 100–300 ms after the page had painted it.
 */
export function watchFirstRows(): void {
  const seen: Record<string, number> = {};
  (globalThis as unknown as { __hindsightFirst: Record<string, number> }).__hindsightFirst = seen;
  const watch = new MutationObserver(() => {
    const note = (key: string, selector: string) => {
      if (seen[key] === undefined && !(`${key}-asked` in seen) && document.querySelector(selector)) {
        seen[`${key}-asked`] = 1;
        requestAnimationFrame(() => (seen[key] = performance.now()));
      }
    };
    note('row', '[data-testid="snapshot-row"]');
    note('summary', '[data-testid="snapshot-row"] .snap-size:not(:empty)');
    if (seen.row !== undefined && seen.summary !== undefined) watch.disconnect();
  });
  watch.observe(document, { childList: true, subtree: true, characterData: true });
}

/**
 * When the page painted `key` (watchFirstRows), once it has. Asked through a bare CDP evaluate
 * every 20 ms, not Playwright's waitForFunction: that injects Playwright's script into the page
 * first, 20–30 ms of the page's main thread in the middle of the cold open it measures (traced).
 */
export async function paintedAt(page: Page, key: 'row' | 'summary'): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { result } = await cdp.send('Runtime.evaluate', { expression: `globalThis.__hindsightFirst?.[${JSON.stringify(key)}] ?? null`, returnByValue: true });
      if (typeof result.value === 'number') return result.value;
      if (Date.now() > deadline) throw new Error(`the page painted no ${key} within 60 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}
