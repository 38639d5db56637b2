import { z } from 'zod';
import { event, invoke, task } from './define.js';
import { SourceKind } from './snapshots.js';

const hostId = z.string().min(1).max(128);

export const ContainerState = z.enum(['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead']);
export type ContainerState = z.infer<typeof ContainerState>;

export const Mount = z.object({
  type: z.string(),
  /** Volume name for volume mounts. */
  name: z.string().nullable(),
  source: z.string(),
  destination: z.string(),
  readOnly: z.boolean(),
});

export const Container = z.object({
  hostId,
  id: z.string(),
  name: z.string(),
  image: z.string(),
  state: ContainerState,
  /** Docker's human status line, e.g. "Up 3 minutes (healthy)". */
  status: z.string(),
  health: z.enum(['healthy', 'unhealthy', 'starting']).nullable(),
  /** com.docker.compose.project / .service labels. */
  project: z.string().nullable(),
  service: z.string().nullable(),
  createdAt: z.string(),
  mounts: z.array(Mount),
  /** The database server it runs, as discovery reads its image or command (null: none it knows). */
  databaseKind: SourceKind.nullable(),
});
export type Container = z.infer<typeof Container>;

export const Volume = z.object({
  hostId,
  name: z.string(),
  driver: z.string(),
  mountpoint: z.string(),
  /** Bytes, where Docker reports it (system df); null otherwise. */
  sizeBytes: z.number().nullable(),
  /** Names of the containers that mount it. */
  usedBy: z.array(z.string()),
  project: z.string().nullable(),
  createdAt: z.string().nullable(),
});
export type Volume = z.infer<typeof Volume>;

/** A compose project, or the pseudo-stack of containers without one (name null). */
export const Stack = z.object({
  hostId,
  name: z.string().nullable(),
  containerIds: z.array(z.string()),
  volumeNames: z.array(z.string()),
});
export type Stack = z.infer<typeof Stack>;

export const Inventory = z.object({
  hostId,
  containers: z.array(Container),
  volumes: z.array(Volume),
  stacks: z.array(Stack),
  fetchedAt: z.string(),
});
export type Inventory = z.infer<typeof Inventory>;

export const ContainerAction = z.enum(['start', 'stop', 'restart']);
export type ContainerAction = z.infer<typeof ContainerAction>;

export const ActionOutcome = z.object({
  hostId,
  containerId: z.string(),
  name: z.string(),
  action: ContainerAction,
  ok: z.boolean(),
  /** The state after the action, or the engine's error in its own words. */
  state: ContainerState.nullable(),
  error: z.string().optional(),
});
export type ActionOutcome = z.infer<typeof ActionOutcome>;

export const inventoryContract = {
  /** Containers, volumes and compose stacks of a host; served from a cache kept fresh by Docker's event stream. */
  get: invoke(z.object({ hostId, refresh: z.boolean().default(false) }), Inventory),
  /** Fired when Docker's event stream says something changed on a host; refetch with get. */
  onChanged: event(z.object({ hostId })),
} as const;

export const servicesContract = {
  /** Start/stop/restart one container. Engine errors come back as DOCKER_ERROR with its message. */
  container: invoke(z.object({ hostId, containerId: z.string().min(1).max(128), action: ContainerAction }), ActionOutcome),
  /** The same for every container of a compose project, in dependency-friendly order; a task with per-container progress. */
  stack: task(
    z.object({ hostId, project: z.string().min(1).max(255), action: ContainerAction }),
    z.object({ outcomes: z.array(ActionOutcome) }),
  ),
} as const;
