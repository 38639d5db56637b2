/** A Docker volume: a tar of its root, restored by clearing the volume and extracting through the tar guard. */
import type { KindModule } from '../kind-module.js';
import { compressedCopy, decodeCommand, onHost, sh } from '../shell.js';
import { writeVolumeTar } from '../../sources/index.js';
import { openVolumeTar } from '../../sources/volume-source.js';

export const volumeKind: KindModule<'volume'> = {
  kind: 'volume',
  throwaway: { kind: 'volume' },
  backing: {
    nameBase: (spec) => ({ text: spec.volume, fallback: 'volume' }),
    describe: (spec) => `volume ${spec.volume}`,
    open: async (spec, { engine, signal }) => {
      const v = await openVolumeTar({ engine, volume: spec.volume, signal });
      return { stream: v.stream, format: 'tar', ext: 'tar', origin: { volume: spec.volume }, closed: v.closed };
    },
  },
  planning: {
    notRestorable: () => undefined,
    formatProblem: (src) => (src.format === 'tar' ? undefined : `Source ${src.name}: unexpected format ${src.format} for a volume source.`),
    containerUse: () => 'restore the volume into',
    notRunning: () => 'a volume needs no running container',
    preflightCommand: (t) => `docker ps -a --filter volume=${sh(t.target)} --format '{{.Names}} {{.State}}'`,
    safetyDescription: ({ target }, keptOnHost) =>
      keptOnHost ? `Copy volume ${target} into a new volume on the host (kept there, never sent here) before it is overwritten` : `Copy volume ${target} aside (tar, zstd) before it is overwritten`,
    safetyCommand: (src, { target }, { ssh, helper, keptOnHost }) => {
      if (keptOnHost) {
        const copy = `hindsight-safety-${target}`;
        return onHost(ssh, `docker volume create ${sh(copy)} && docker run --rm -v ${sh(`${target}:/from:ro`)} -v ${sh(`${copy}:/to`)} hindsight/agent sh -c ${sh('tar -C /from -cf - --numeric-owner --xattrs --sparse . | tar -C /to -xpf - --numeric-owner --xattrs')}`);
      }
      return compressedCopy(ssh, `docker run --rm -v ${sh(`${target}:/v:ro`)} ${helper} tar -C /v -cf - .`, sh(`safety/${src.name}.tar.zst`), false);
    },
    restoreDescription: (src, t) => `${t.create ? 'Create' : 'Clear'} volume ${t.target} and extract ${src.name} (${src.storedBytes} bytes stored) through the tar guard`,
    restoreCommand: (src, t, { ssh, helper }) =>
      `${decodeCommand(src)} | ${onHost(ssh, `${t.create ? `docker volume create ${sh(t.target)} && ` : ''}docker run --rm -i -v ${sh(`${t.target}:/v`)} ${helper} sh -c ${sh('find /v -mindepth 1 -maxdepth 1 -exec rm -rf {} + && tar -C /v -xpf -')}`)}`,
    verifyCommands: (src, t, { ssh, helper }) =>
      src.fileCount === undefined ? [] : [`${onHost(ssh, `docker run --rm -v ${sh(`${t.target}:/v:ro`)} ${helper} sh -c ${sh('cd /v && find . | wc -l')}`)}   # entries: ${src.fileCount}`],
  },
  restoring: {
    copyFormat: 'tar',
    // The volume sink guards the tar right in front of the extractor and says what it counted.
    load: ({ engine, target, stream, signal }) => writeVolumeTar({ engine, volume: target, tar: stream, clear: true, ...(signal ? { signal } : {}) }),
    openCurrent: async ({ engine, target, signal }) => {
      const v = await openVolumeTar({ engine, volume: target, ...(signal ? { signal } : {}) });
      return { stream: v.stream, closed: v.closed };
    },
    putBack: async ({ engine, target, stream }) => {
      await writeVolumeTar({ engine, volume: target, tar: stream, clear: true });
    },
  },
};
