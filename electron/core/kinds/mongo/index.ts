/**
 * A MongoDB container: backed up as a mongodump archive; not restored by this version (MongoDB is
 * in neither Debian's archive nor npm's registry, so its restore cannot be tested here): the plan
 * refuses it and says how to restore it by hand.
 */
import type { KindModule } from '../kind-module.js';
import { decodeCommand, sh } from '../shell.js';
import { RpcError } from '../../../../shared/contract/errors.js';
import { openMongoDump } from '../../sources/index.js';
import { SOURCE_KINDS } from '../../../../shared/contract/source-kinds.js';

const notHere = (): never => {
  throw new Error('MongoDB sources are not restored by this version (the planner refuses them first).');
};

export const mongoKind: KindModule<'mongo'> = {
  kind: 'mongo',
  throwaway: { kind: 'none' },
  discovering: {
    serverName: SOURCE_KINDS.mongo.label,
    image: /^(mongo|mongodb)(-|$)/,
    command: /(^|[\s/])mongod(\s|$)/,
    specFor: (container) => ({ kind: 'mongo', container }),
    labelFor: (container) => `MongoDB in ${container}`,
  },
  backing: {
    nameBase: (spec) => ({ text: spec.container, fallback: 'mongo' }),
    describe: (spec) => `MongoDB in ${spec.container}`,
    open: async (spec, { engine, signal }) => {
      const d = await openMongoDump({ engine, container: spec.container, signal });
      return { stream: d.stream, format: 'mongo-archive', ext: 'archive', origin: { container: spec.container, image: d.image } };
    },
  },
  planning: {
    notRestorable: (src) =>
      `Source ${src.name} is a MongoDB backup; this version does not restore MongoDB (its restore cannot be tested here: MongoDB is not in Debian's archive). Restore it by hand: ${decodeCommand(src)} | docker exec -i <container> mongorestore --archive --drop.`,
    formatProblem: (src) => (src.format === 'mongo-archive' ? undefined : `Source ${src.name}: unexpected format ${src.format} for a mongo source.`),
    containerUse: () => 'restore the database into',
    notRunning: () => 'the database must be running to load a dump',
    preflightCommand: ({ target }) => `docker exec ${sh(target)} mongod --version`,
    safetyDescription: notHere,
    safetyCommand: notHere,
    restoreDescription: notHere,
    restoreCommand: notHere,
    verifyCommands: notHere,
  },
  restoring: {
    copyFormat: 'sql',
    load: async ({ src }) => {
      throw new RpcError('INVALID_INPUT', `Restoring a ${src.kind} source is not supported by this version.`);
    },
    openCurrent: notHere,
    putBack: notHere,
  },
};
