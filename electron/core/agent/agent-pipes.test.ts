import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_IMAGE_ENV, AGENT_PIPES_VOLUME } from './agent-names.js';
import { agentPipes } from './agent-pipes.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
});

describe('agentPipes', () => {
  it('needs both the image id in the environment and a writable pipe folder (an older container has neither)', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hs-pipes-'));
    dirs.push(dir);
    expect(agentPipes({}, dir)).toBeUndefined();
    expect(agentPipes({ [AGENT_IMAGE_ENV]: 'sha256:abc' }, path.join(dir, 'missing'))).toBeUndefined();
    expect(agentPipes({ [AGENT_IMAGE_ENV]: 'sha256:abc' }, dir)).toEqual({ dir, volume: AGENT_PIPES_VOLUME, image: 'sha256:abc' });
  });
});
