import { existsSync } from 'node:fs';
import { LAB_JSON, readLab } from '../electron/core/testing/lab.js';

/**
 * Fails the run with a clear message when the lab is down. (The fresh config copy is made by the
 * webServer command, e2e/support/start-web-server.mjs: Playwright starts webServer before this.)
 */
export default function globalSetup(): void {
  if (!existsSync(LAB_JSON)) throw new Error(`${LAB_JSON} is missing: the lab is not up. Run "npm run lab:up" first.`);
  const lab = readLab();
  for (const m of ['production', 'uat', 'science'] as const) {
    if (!lab.machines[m]) throw new Error(`.lab/lab.json has no "${m}" machine: re-run "npm run lab:up".`);
  }
}
