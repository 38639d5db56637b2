import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertLabUp } from './lab-global-setup.js';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hindsight-labcheck-'));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe('assertLabUp (the integration globalSetup)', () => {
  it('fails, telling to run npm run lab:up, when lab.json is missing', async () => {
    await expect(assertLabUp(path.join(dir, 'missing.json'))).rejects.toThrow(/npm run lab:up/);
  });

  it('fails listing each machine whose engine or sshd does not answer', async () => {
    // A port that was just free: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    const file = path.join(dir, 'lab.json');
    await fs.writeFile(
      file,
      JSON.stringify({ machines: { production: { address: '127.0.0.1', port, localSocket: path.join(dir, 'no.sock') } } }),
    );
    const err = await assertLabUp(file).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/production: Docker engine not answering/);
    expect((err as Error).message).toMatch(/production: sshd not accepting/);
    expect((err as Error).message).toMatch(/npm run lab:up/);
  });
});
