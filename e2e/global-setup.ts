import { readLab } from './support/lab.js';

/**
 * Fails the run with a clear message when the lab is down. (The fresh config copy is made by the
 * webServer command, e2e/support/start-web-server.mjs: Playwright starts webServer before this.)
 */
export default function globalSetup(): void {
  const lab = readLab();
  for (const m of ['production', 'uat', 'science'] as const) {
    if (!lab.machines[m]) throw new Error(`.lab/lab.json has no "${m}" machine: re-run "npm run lab:up".`);
  }
}
