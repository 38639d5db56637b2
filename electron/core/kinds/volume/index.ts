/** A Docker volume: a tar of its root, restored by clearing the volume and extracting through the tar guard. */
import type { KindModule } from '../kind-module.js';
import { compressedCopy, decodeCommand, onHost, sh } from '../shell.js';
import { prepareVolumeTar, writeVolumeTar } from '../../sources/index.js';
import { removeVolumeLinks, volumeTree } from '../../sources/volume-sink.js';
import { levelsOf } from '../../../../shared/levels.js';
import { openVolumeTar } from '../../sources/volume-source.js';

export const volumeKind: KindModule<'volume'> = {
  kind: 'volume',
  throwaway: { kind: 'volume' },
  backing: {
    nameBase: (spec) => ({ text: spec.volume, fallback: 'volume' }),
    describe: (spec) => `volume ${spec.volume}`,
    levels: true,
    open: async (spec, { engine, signal, level }) => {
      const v = await openVolumeTar({ engine, volume: spec.volume, signal, ...(level ? { listedIncremental: level.snapshotFile } : {}) });
      return { stream: v.stream, format: 'tar', ext: 'tar', origin: { volume: spec.volume }, closed: v.closed, ...(v.changed ? { changed: v.changed } : {}) };
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
    restoreDescription: (src, t) =>
      src.incremental && src.incremental.level > 0
        ? `${t.create ? 'Create' : 'Clear'} volume ${t.target} and extract the ${src.incremental.level + 1} levels of ${src.name} in order (level 0 first, ${levelsOf(src).reduce((a, l) => a + l.storedBytes, 0)} bytes stored) through the tar guard, with the files each level deleted or renamed`
        : `${t.create ? 'Create' : 'Clear'} volume ${t.target} and extract ${src.name} (${src.storedBytes} bytes stored) through the tar guard`,
    restoreCommand: (src, t, { ssh, helper }) => {
      const clear = 'find /v -mindepth 1 -maxdepth 1 -exec rm -rf {} +';
      const create = t.create ? `docker volume create ${sh(t.target)} && ` : '';
      if (!src.incremental || src.incremental.level === 0) return `${decodeCommand(src)} | ${onHost(ssh, `${create}docker run --rm -i -v ${sh(`${t.target}:/v`)} ${helper} sh -c ${sh(`${clear} && tar -C /v -xpf -`)}`)}`;
      // GNU tar applies each level's deletions and renames (busybox tar cannot): the agent's image has it.
      return levelsOf(src)
        .map((link, i) => `${decodeCommand(link)} | ${onHost(ssh, `${i === 0 ? create : ''}docker run --rm -i -v ${sh(`${t.target}:/v`)} hindsight/agent sh -c ${sh(`${i === 0 ? `${clear} && ` : ''}tar -C /v --listed-incremental=/dev/null -xpf -`)}`)}`)
        .join(' && \\\n  ');
    },
    verifyCommands: (src, t, { ssh, helper }) =>
      src.fileCount === undefined ? [] : [`${onHost(ssh, `docker run --rm -v ${sh(`${t.target}:/v:ro`)} ${helper} sh -c ${sh('cd /v && find . | wc -l')}`)}   # entries: ${src.fileCount}`],
  },
  restoring: {
    copyFormat: 'tar',
    // The volume sink guards the tar right in front of the extractor and says what it counted.
    load: ({ engine, target, stream, signal }) => writeVolumeTar({ engine, volume: target, tar: stream, clear: true, ...(signal ? { signal } : {}) }),
    prepare: ({ engine, target, signal }) => prepareVolumeTar({ engine, volume: target, clear: true, ...(signal ? { signal } : {}) }),
    openCurrent: async ({ engine, target, signal }) => {
      const v = await openVolumeTar({ engine, volume: target, ...(signal ? { signal } : {}) });
      return { stream: v.stream, closed: v.closed };
    },
    levels: {
      load: ({ engine, target, stream, first, policy, signal }) => writeVolumeTar({ engine, volume: target, tar: stream, clear: first, level: { policy }, ...(signal ? { signal } : {}) }),
      tree: async ({ engine, target, signal }) => {
        if (!engine.pipes) throw new Error(`${engine.name}: listing a volume's tree needs the agent's pipes`);
        return volumeTree({ ...engine, pipes: engine.pipes }, target, signal);
      },
      removeLinks: ({ engine, target, paths, signal }) => removeVolumeLinks(engine, target, paths, signal),
    },
    putBack: async ({ engine, target, stream }) => {
      await writeVolumeTar({ engine, volume: target, tar: stream, clear: true });
    },
  },
};
