/**
 * The Hindsight agent (ARCHITECTURE §8): the core as a small container, `hindsight-agent`, on a
 * Docker host. The console installs it over the host's SSH → Docker tunnel (the image is loaded
 * through the engine's API: no registry, no new port), controls it by exec'ing the agent's own CLI
 * in the container, pushes the host's plans to it, and pins its snapshot-signing key for that host.
 */
import { z } from 'zod';
import { invoke, task } from './define.js';

const HostRef = z.object({ hostId: z.string().min(1).max(128) });

/** One plan as the agent runs it (its scheduler's view). */
export const AgentPlanState = z.object({
  planId: z.string(),
  /** The plan's name; "<name> (drill)" for its restore drill on this host. */
  name: z.string(),
  kind: z.enum(['backup', 'drill']).default('backup'),
  paused: z.boolean(),
  /** A run of this plan is in progress (by schedule or by hand). */
  running: z.boolean(),
  nextRun: z.string().nullable(),
  lastAttempt: z
    .object({
      at: z.string(),
      endedAt: z.string(),
      result: z.enum(['succeeded', 'failed']),
      trigger: z.enum(['schedule', 'catch-up', 'retry', 'manual']),
      attempt: z.number().int(),
      snapshotId: z.string().optional(),
      error: z.string().optional(),
    })
    .nullable(),
  /** A failed run waiting to be tried again. */
  retryAt: z.string().nullable(),
});
export type AgentPlanState = z.infer<typeof AgentPlanState>;

/** What `hindsight-agent status --json` prints inside the container. */
export const AgentReport = z.object({
  version: z.string(),
  hostId: z.string().nullable(),
  keyId: z.string(),
  publicKey: z.string(),
  daemon: z.object({ alive: z.boolean(), pid: z.number().nullable(), startedAt: z.string().nullable() }),
  plans: z.array(AgentPlanState),
});
export type AgentReport = z.infer<typeof AgentReport>;

export const AgentStatus = z.object({
  hostId: z.string(),
  installed: z.boolean(),
  /** The container's state ("running", "restarting", "exited", …), null when not installed. */
  state: z.string().nullable(),
  version: z.string().nullable(),
  /** The agent version this console carries; null when this build has no agent image. */
  bundledVersion: z.string().nullable(),
  upgradeAvailable: z.boolean(),
  /** The agent's signing key is trusted for this host. */
  keyPinned: z.boolean(),
  keyId: z.string().nullable(),
  report: AgentReport.nullable(),
  /** Why the report could not be read (the container is installed but does not answer). */
  problem: z.string().nullable(),
});
export type AgentStatus = z.infer<typeof AgentStatus>;

export const agentContract = {
  status: invoke(HostRef, AgentStatus),
  /** Install (or complete an interrupted install): load the image, start the container, pin its key, push the plans. */
  install: task(HostRef, AgentStatus),
  /** The same steps with this console's image: state (plans, key, history) kept. */
  upgrade: task(HostRef, AgentStatus),
  /** Stop and remove the container; its state volume (and key) only with `purge`. */
  remove: task(HostRef.extend({ purge: z.boolean().default(false) }), z.object({ removed: z.boolean(), stateRemoved: z.boolean() })),
} as const;
