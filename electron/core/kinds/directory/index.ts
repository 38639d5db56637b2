/** A directory inside a container: a tar of it, restored through the container's archive endpoint after the tar guard. */
import type { KindModule } from '../kind-module.js';
import { compressedCopy, decodeCommand, onHost, sh } from '../shell.js';
import { RpcError } from '../../../../shared/contract/errors.js';
import { openDirectoryTar, writeDirectoryTar } from '../../sources/index.js';

export const directoryKind: KindModule<'directory'> = {
  kind: 'directory',
  throwaway: { kind: 'none' },
  backing: {
    nameBase: (spec) => ({ text: `${spec.container}-${spec.path}`, fallback: 'directory' }),
    describe: (spec) => `${spec.path} in ${spec.container}`,
    open: async (spec, { engine, signal }) => {
      // The container's name comes from openDirectoryTar's inspect: asked again while the archive
      // is open, the engine would wait for the archive to be read (sources/directory.ts).
      const d = await openDirectoryTar({ engine, container: spec.container, path: spec.path, signal });
      return { stream: d.stream, format: 'tar', ext: 'tar', origin: { container: d.name, image: d.image, path: spec.path }, ...(d.sizeOnDisk !== undefined ? { upperBound: d.sizeOnDisk } : {}) };
    },
  },
  planning: {
    notRestorable: () => undefined,
    formatProblem: (src) => (src.format === 'tar' ? undefined : `Source ${src.name}: unexpected format ${src.format} for a directory source.`),
    targetPath: (src, chosen) => chosen?.[src.name] ?? src.origin.path,
    containerUse: ({ path }) => `restore ${path} into`,
    notRunning: ({ path }) => `it must be running to clear ${path} before extracting`,
    preflightCommand: ({ target, path }) => `docker exec ${sh(target)} ls -ld ${sh(path ?? '/')}`,
    safetyDescription: ({ target, path }, keptOnHost) => `Copy ${path} of ${target}${keptOnHost ? ' into a file kept on the host by its agent (never sent here)' : ' aside'} (tar, zstd) before it is overwritten`,
    safetyCommand: (src, { target, path }, { ssh, keptOnHost }) => compressedCopy(ssh, `docker cp ${sh(`${target}:${path ?? ''}/.`)} -`, sh(`safety/${src.name}.tar.zst`), keptOnHost),
    restoreDescription: (src, t) => `Clear ${t.path} in ${t.target} and extract ${src.name} (${src.storedBytes} bytes stored) through the tar guard`,
    restoreCommand: (src, t, { ssh }) => {
      const dir = t.path!;
      return `${decodeCommand(src)} | ${onHost(ssh, `docker exec -i ${sh(t.target)} sh -c ${sh(`find ${sh(dir)} -mindepth 1 -maxdepth 1 -exec rm -rf {} + ; mkdir -p ${sh(dir)} && tar -C ${sh(dir)} -xpf -`)}`)}`;
    },
    verifyCommands: (src, t, { ssh }) =>
      src.fileCount === undefined ? [] : [`${onHost(ssh, `docker exec ${sh(t.target)} sh -c ${sh(`cd ${sh(t.path!)} && find . | wc -l`)}`)}   # entries: ${src.fileCount}`],
  },
  restoring: {
    copyFormat: 'tar',
    load: async ({ engine, src, target, path, stream, signal }) => {
      if (path === undefined) throw new RpcError('INVALID_INPUT', `Source ${src.name}: no target directory was given.`);
      return { tar: await writeDirectoryTar({ engine, container: target, path, tar: stream, clear: true, ...(signal ? { signal } : {}) }) };
    },
    openCurrent: async ({ engine, target, path, signal }) => ({ stream: (await openDirectoryTar({ engine, container: target, path: path ?? '', ...(signal ? { signal } : {}) })).stream }),
    putBack: async ({ engine, target, path, stream }) => {
      await writeDirectoryTar({ engine, container: target, path: path ?? '', tar: stream, clear: true });
    },
  },
};
