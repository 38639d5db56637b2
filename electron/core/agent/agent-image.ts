/**
 * The agent image this console carries: `npm run build:agent` (scripts/build-agent.sh) writes
 * `dist/agent/image.json` ({tag, id, version, file}) beside the image archive (`docker save`
 * format, gzip). A packaged app finds it in its resources; HINDSIGHT_AGENT_IMAGE_DIR overrides.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export { AGENT_COMMAND, AGENT_CONTAINER, AGENT_DOCKER_SOCKET, AGENT_LABEL, AGENT_STATE_DIR, AGENT_VOLUME } from './agent-names.js';

export const AgentImageInfo = z.object({
  tag: z.string().min(1),
  id: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  version: z.string().min(1),
  /** The archive's file name, beside image.json. */
  file: z.string().min(1),
  bytes: z.number().int().positive(),
});
export type AgentImageInfo = z.infer<typeof AgentImageInfo> & { path: string };

function candidateDirs(): string[] {
  const dirs: string[] = [];
  if (process.env.HINDSIGHT_AGENT_IMAGE_DIR) dirs.push(path.resolve(process.env.HINDSIGHT_AGENT_IMAGE_DIR));
  // Electron's packaged app: extraResources/agent.
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  if (resources) dirs.push(path.join(resources, 'agent'));
  // A checkout: walk up from this module (source under electron/core/agent, or a bundle under dist/*)
  // to the folder with package.json.
  let dir = path.dirname(typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(path.join(dir, 'package.json'))) {
      dirs.push(path.join(dir, 'dist', 'agent'));
      break;
    }
    dir = path.dirname(dir);
  }
  return dirs;
}

/** The bundled image, or null when this build carries none (then install says how to build it). */
export function bundledAgentImage(): AgentImageInfo | null {
  for (const dir of candidateDirs()) {
    const file = path.join(dir, 'image.json');
    if (!existsSync(file)) continue;
    const info = AgentImageInfo.parse(JSON.parse(readFileSync(file, 'utf8')));
    const archive = path.join(dir, info.file);
    if (existsSync(archive)) return { ...info, path: archive };
  }
  return null;
}
