/**
 * The benchmark volume: `size` bytes of mixed data (alternating 1 MiB blocks of log-like text and
 * random bytes, the pipeline benchmark's generator) in 8 files, written through
 * `docker run -i busybox sh -c 'cat > …'`, plus 500 small files — a volume's usual mix of a few
 * large files and many small ones.
 */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { MixedSource } from '../electron/core/pipeline/testing/mixed-data.js';
import { BUSYBOX } from '../electron/core/sources/testing/lab-engines.js';
import { dockerCli, type LabMachine } from '../electron/core/testing/lab.js';

export const VOLUME_FILES = 8;

/** Streams `source` into a file of the volume through `docker run -i`. */
function writeIntoVolume(socket: string, volume: string, file: string, source: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', ['-H', `unix://${socket}`, 'run', '--rm', '-i', '--network', 'none', '-v', `${volume}:/v`, BUSYBOX, 'sh', '-c', `cat > /v/${file}`], {
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`docker run exited ${code}`))));
    source.pipe(child.stdin);
  });
}

/** Fills an existing (empty) volume on `machine`. */
export async function fillVolume(machine: LabMachine, volume: string, size: number): Promise<void> {
  const per = Math.floor(size / VOLUME_FILES);
  for (let i = 0; i < VOLUME_FILES; i++) {
    await writeIntoVolume(machine.localSocket, volume, `part-${i}.bin`, new MixedSource({ size: per, pool: false, hash: false, seed: i + 1 }));
  }
  await dockerCli(machine, 'run', '--rm', '--network', 'none', '-v', `${volume}:/v`, BUSYBOX, 'sh', '-c', 'mkdir -p /v/small && for i in $(seq 1 500); do echo "file $i $(date)" > /v/small/f$i.txt; done');
}
