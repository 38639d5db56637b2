/**
 * The engine's own identity — `docker info`'s ID, made by the daemon once and kept in its data
 * root — so that two host entries reaching one engine (a jump host and a direct address, a local
 * socket and SSH to the same machine) are known to be the same machine. Locks are keyed by it.
 * Asked once per Engine object.
 */
import type { Engine } from './engine.js';

const ids = new WeakMap<Engine, Promise<string>>();

export function engineId(engine: Engine): Promise<string> {
  let p = ids.get(engine);
  if (!p) {
    p = (async () => {
      await engine.connect();
      const info = (await engine.docker.info()) as { ID?: string; Name?: string };
      // Engines older than 1.12 or odd proxies may omit it: fall back to the name it reports.
      return info.ID || `name:${info.Name ?? engine.name}`;
    })();
    p.catch(() => ids.delete(engine));
    ids.set(engine, p);
  }
  return p;
}
