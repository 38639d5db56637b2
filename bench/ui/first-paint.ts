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

/** When the page painted `key` (watchFirstRows), once it has. */
export async function paintedAt(page: Page, key: 'row' | 'summary'): Promise<number> {
  await page.waitForFunction((k) => (globalThis as unknown as { __hindsightFirst?: Record<string, number> }).__hindsightFirst?.[k] !== undefined, key, { timeout: 60_000 });
  return page.evaluate((k) => (globalThis as unknown as { __hindsightFirst: Record<string, number> }).__hindsightFirst[k]!, key);
}
