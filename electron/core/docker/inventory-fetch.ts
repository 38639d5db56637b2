/** Reads a host's inventory from its engine (three requests in parallel over the one tunnel). */
import type { Inventory } from '../../../shared/contract/inventory.js';
import { dial } from './dial.js';
import { toEngineError } from './engine-errors.js';
import type { Engine } from './engine.js';
import { databaseKind } from '../backup/discover.js';
import { buildInventory, type RawContainer, type RawVolume } from './inventory-map.js';

/** system df walks every volume to size it; on big volumes that can be slow, so it may give up. */
const DF_TIMEOUT_MS = 15_000;

export async function fetchInventory(hostId: string, engine: Engine, signal?: AbortSignal): Promise<Inventory> {
  const what = `Reading the containers and volumes of ${engine.name}`;
  try {
    const [containers, volumes, sizes] = await Promise.all([
      dial<RawContainer[]>(engine.docker, '/containers/json', { query: { all: true }, ...(signal ? { signal } : {}) }),
      dial<{ Volumes: RawVolume[] | null }>(engine.docker, '/volumes', signal ? { signal } : {}),
      volumeSizes(engine),
    ]);
    return buildInventory(hostId, containers, volumes.Volumes ?? [], sizes, new Date(), (c) => databaseKind(c.Image, c.Command ?? ''));
  } catch (e) {
    throw toEngineError(e, what, engine.localSocket);
  }
}

/** Volume sizes from `docker system df`; an empty map (sizes unknown) if the engine cannot tell in time. */
async function volumeSizes(engine: Engine): Promise<Map<string, number>> {
  try {
    const df = await dial<{ Volumes?: RawVolume[] | null }>(engine.docker, '/system/df', {
      // Engines since API 1.42 can limit the work to volumes; older ones ignore the parameter.
      query: { type: 'volume' },
      signal: AbortSignal.timeout(DF_TIMEOUT_MS),
    });
    return new Map((df.Volumes ?? []).map((v) => [v.Name, v.UsageData?.Size ?? -1]));
  } catch {
    return new Map();
  }
}
