/** The agent's names on a host and in its container — stable, so every console finds the agent another one installed. */
export const AGENT_CONTAINER = 'hindsight-agent';
export const AGENT_VOLUME = 'hindsight-agent-state';
export const AGENT_STATE_DIR = '/var/lib/hindsight-agent';
export const AGENT_LABEL = 'org.hindsight.agent';
/**
 * On an image whose `restore-source` takes its request ahead (agent/direct-restore.ts): an older
 * agent would run a request that a console then called off, so only these are sent one early.
 * "1": takes it ahead; "2": also says the Docker data root's free space first (a `space` line).
 */
export const AGENT_RESTORE_AHEAD_LABEL = 'org.hindsight.agent.restore-ahead';
/** The engine socket inside the agent container (bind-mounted from the host's own socket path). */
export const AGENT_DOCKER_SOCKET = '/var/run/docker.sock';
/** The agent's CLI inside its image. */
export const AGENT_COMMAND = '/usr/local/bin/hindsight-agent';

/**
 * A volume of named pipes only (no data, no secrets), mounted at the same path in the agent and in
 * the helpers it starts: GNU tar in a helper streams a volume to or from the agent through one
 * (sources/pipe-tar.ts). The helpers' image is the agent's own, named in its environment.
 */
export const AGENT_PIPES_VOLUME = 'hindsight-agent-pipes';
export const AGENT_PIPES_DIR = '/run/hindsight-pipes';
export const AGENT_IMAGE_ENV = 'HINDSIGHT_AGENT_IMAGE_ID';
