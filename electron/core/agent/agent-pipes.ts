/**
 * The agent's pipes to its helpers (Engine.pipes, sources/pipe-tar.ts): present when the container
 * was made by a console that knows them (the pipes volume mounted, the agent's image id in the
 * environment). An agent container from an older install has neither and keeps using the engine's
 * archive endpoint, which is slower but the same format.
 */
import { accessSync, constants } from 'node:fs';
import { createEngine, type Engine, type HelperPipes } from '../docker/engine.js';
import { AGENT_DOCKER_SOCKET, AGENT_IMAGE_ENV, AGENT_PIPES_DIR, AGENT_PIPES_VOLUME } from './agent-names.js';

export function agentPipes(env: NodeJS.ProcessEnv = process.env, dir = AGENT_PIPES_DIR): HelperPipes | undefined {
  const image = env[AGENT_IMAGE_ENV];
  if (!image) return undefined;
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    return undefined;
  }
  return { dir, volume: AGENT_PIPES_VOLUME, image };
}

/** The engine of the agent's own host (its socket, mounted into the container), with its pipes. */
export function agentEngine(name: string): Engine {
  const pipes = agentPipes();
  return createEngine(name, { type: 'local', socketPath: AGENT_DOCKER_SOCKET }, { ssh: undefined as never, passphrase: async () => undefined, ...(pipes ? { pipes } : {}) });
}
