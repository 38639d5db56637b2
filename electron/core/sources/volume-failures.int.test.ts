/**
 * What is left when a volume transfer fails or is aborted: no helper container on either machine,
 * the HTTP requests (and so their SSH channels) closed, the error saying what happened.
 */
import { Readable, Transform } from 'node:stream';
import { pack as tarPack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../docker/engine.js';
import { dockerCli } from '../testing/lab.js';
import { inVolume, labEngines, traceEngine, leftoverHelpers, removeQuietly, uniqueName, type LabEngines } from './testing/lab-engines.js';
import { openVolumeTar } from './volume-source.js';
import { writeVolumeTar } from './volume-sink.js';

/** A pass-through that calls `then` once `limit` bytes went by. */
function counter(limit: number, then: () => void): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, callback) {
      seen += chunk.length;
      callback(null, chunk);
      if (seen > limit && seen - chunk.length <= limit) then();
    },
  });
}

/** Like stream.pipeline for the two ends we hold: an error on the way fails the sink's input too. */
function pipe(from: Readable, to: Transform): void {
  from.once('error', (e) => {
    if (process.env.HINDSIGHT_TRACE_ENGINE) console.log('source failed:', e);
    to.destroy(e);
  });
  from.pipe(to);
}

let lab: LabEngines;
let prod: Engine;
let uat: Engine;
const big = uniqueName('hs-test-big');
const dst = uniqueName('hs-test-abort-dst');

beforeAll(async () => {
  lab = await labEngines();
  prod = await lab.engine('production');
  uat = await lab.engine('uat');
  traceEngine(prod, 'prod');
  traceEngine(uat, 'uat');
  await dockerCli(lab.machine('production'), 'volume', 'create', big);
  // 150 MiB of zeros (sparse on disk, not in the tar): long enough to be cut in the middle.
  await inVolume(lab.machine('production'), big, 'head -c 65536 /dev/urandom > /v/head && truncate -s 150M /v/zeros && echo ok > /v/small');
});

afterAll(async () => {
  await removeQuietly(lab.machine('production'), 'volume', big);
  await removeQuietly(lab.machine('uat'), 'volume', dst);
  await lab.dispose();
});

// No retry: the abort tests once broke the next request on the same SSH connection now and then —
// ssh2 granted window on a channel after closing it, and sshd could credit that to the next
// channel it numbered the same (fixed in ssh/channel-close.ts, tested in channel-close.int.test.ts).
describe('volume transfers that fail', () => {
  it('aborting a source mid-stream fails the stream with CANCELLED and removes the helper', async () => {
    const controller = new AbortController();
    const source = await openVolumeTar({ engine: prod, volume: big, signal: controller.signal });
    expect(await leftoverHelpers(lab.machine('production'), big, 0)).toHaveLength(1);
    await new Promise((r) => source.stream.once('data', r));
    source.stream.pause();
    const failed = new Promise((r) => source.stream.once('error', r));
    controller.abort();
    expect(await failed).toMatchObject({ code: 'CANCELLED' });
    await source.closed;
    expect(await leftoverHelpers(lab.machine('production'), big)).toEqual([]);
  });

  it('a consumer that destroys the source stream also gets the helper removed', async () => {
    const source = await openVolumeTar({ engine: prod, volume: big });
    await new Promise((r) => source.stream.once('data', r));
    source.stream.destroy();
    await source.closed;
    expect(await leftoverHelpers(lab.machine('production'), big)).toEqual([]);
  });

  it('aborting a sink mid-stream rejects with CANCELLED; neither side keeps a helper', async () => {
    const controller = new AbortController();
    const source = await openVolumeTar({ engine: prod, volume: big });
    const tar = counter(20 << 20, () => controller.abort());
    pipe(source.stream, tar);
    const failure = await writeVolumeTar({ engine: uat, volume: dst, tar, clear: true, signal: controller.signal }).catch((e: unknown) => e);
    expect(controller.signal.aborted).toBe(true);
    expect(failure).toMatchObject({ code: 'CANCELLED' });
    source.stream.destroy(); // what a pipeline would do with its source
    await source.closed;
    expect(await leftoverHelpers(lab.machine('production'), big)).toEqual([]);
    expect(await leftoverHelpers(lab.machine('uat'), dst)).toEqual([]);
  });

  it('aborting while the sink is still preparing leaves no helper either', async () => {
    for (const delay of [0, 5, 20, 60, 150]) {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), delay);
      const tar = Readable.from([Buffer.alloc(1024)]);
      await writeVolumeTar({ engine: uat, volume: dst, tar, clear: true, signal: controller.signal }).catch((e: unknown) => e);
      expect(await leftoverHelpers(lab.machine('uat'), dst), `abort after ${delay} ms`).toEqual([]);
    }
  });

  it('a source that breaks mid-stream fails the sink with its own error', async () => {
    // The input is a generated tar (one 32 MiB file), not a volume read over SSH: what is under
    // test is the sink's handling of an input that dies, not the far engine's stream.
    const pack = tarPack();
    pack.entry({ name: './big.bin', size: 32 << 20 }, Buffer.alloc(32 << 20, 7));
    pack.finalize();
    const tar: Transform = counter(5 << 20, () => tar.destroy(new Error('the repository went away')));
    pipe(pack as unknown as Readable, tar);
    await expect(writeVolumeTar({ engine: uat, volume: dst, tar, clear: false })).rejects.toThrow('the repository went away');
    pack.destroy();
    expect(await leftoverHelpers(lab.machine('uat'), dst)).toEqual([]);
  });

  it('an input that fails while the sink is still clearing is the answer (no crash, no helper)', async () => {
    const input = new Readable({ read() {} });
    setTimeout(() => input.destroy(new Error('the repository went away early')), 20);
    await expect(writeVolumeTar({ engine: uat, volume: dst, tar: input, clear: true })).rejects.toThrow('the repository went away early');
    expect(await leftoverHelpers(lab.machine('uat'), dst)).toEqual([]);
  });

  it('a tar that is not one is refused before the engine sees it, and the helper is removed', async () => {
    const junk = Readable.from([Buffer.alloc(1024, 0x41)]);
    await expect(writeVolumeTar({ engine: uat, volume: dst, tar: junk, clear: false })).rejects.toThrow(/bad header checksum/);
    expect(await leftoverHelpers(lab.machine('uat'), dst)).toEqual([]);
  });
});
