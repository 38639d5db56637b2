/** A MariaDB container: a dump of every database (mariadb-dump), loaded back by its own client. */
import type { KindModule } from '../kind-module.js';
import { compressedCopy, decodeCommand, onHost, sh } from '../shell.js';
import { loadMariadbDump, mariadbDatabases, mariadbDropDatabase, mariadbSizeOnDisk, openMariadbBackup, openMariadbDump } from '../../sources/index.js';
import { rowCountChecks } from '../../restore/db-state.js';
import { SOURCE_KINDS } from '../../../../shared/contract/source-kinds.js';

export function mariadbIdent(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

const CLIENT = 'mariadb --user=root --password="$MARIADB_ROOT_PASSWORD"';

export const mariadbKind: KindModule<'mariadb'> = {
  kind: 'mariadb',
  throwaway: {
    kind: 'server',
    env: ['MARIADB_ROOT_PASSWORD=verify', 'MYSQL_ROOT_PASSWORD=verify'],
    ready: 'c=$(command -v mariadb || command -v mysql) && "$c" --protocol=tcp -h 127.0.0.1 -uroot -pverify -N -e "select 1"',
  },
  discovering: {
    serverName: SOURCE_KINDS.mariadb.label,
    image: /^(mariadb|mysql|percona|percona-server)(-|$)/,
    command: /(^|[\s/])(mysqld|mariadbd)(\s|$)/,
    specFor: (container) => ({ kind: 'mariadb', container }),
    labelFor: (container) => `MariaDB/MySQL in ${container}`,
  },
  backing: {
    nameBase: (spec) => ({ text: spec.container, fallback: 'mariadb' }),
    describe: (spec) => `MariaDB in ${spec.container}`,
    open: async (spec, { engine, signal }) => {
      const upperBound = await mariadbSizeOnDisk({ engine, container: spec.container, signal }).catch(() => undefined);
      const d = await openMariadbBackup({ engine, container: spec.container, signal });
      const origin = { container: spec.container, image: d.image, ...(d.engineVersion ? { engineVersion: d.engineVersion } : {}) };
      return { stream: d.stream, format: 'sql', ext: 'sql', origin, databaseRowCounts: d.databaseRowCounts, ...(upperBound !== undefined ? { upperBound } : {}) };
    },
  },
  planning: {
    notRestorable: () => undefined,
    formatProblem: (src) => (src.format === 'sql' ? undefined : `Source ${src.name}: unexpected format ${src.format} for a mariadb source.`),
    containerUse: () => 'restore the database into',
    notRunning: () => 'the database must be running to load a dump',
    preflightCommand: ({ target }) => `docker exec ${sh(target)} mariadb --version`,
    safetyDescription: ({ target }, keptOnHost) =>
      `Dump every database of ${target}${keptOnHost ? ' into a file kept on the host by its agent (never sent here)' : ' aside'} (mariadb-dump, zstd) and list its databases before it is overwritten`,
    safetyCommand: (src, { target }, { ssh, keptOnHost }) =>
      compressedCopy(ssh, `docker exec ${sh(target)} sh -c ${sh('mariadb-dump --user=root --password="$MARIADB_ROOT_PASSWORD" --all-databases --single-transaction --routines --events --triggers')}`, sh(`safety/${src.name}.sql.zst`), keptOnHost),
    restoreDescription: (src, t) => `Load the dump of ${src.name} into ${t.target} through its own client`,
    restoreCommand: (src, t, { ssh }) => `${decodeCommand(src)} | ${onHost(ssh, `docker exec -i ${sh(t.target)} sh -c ${sh(CLIENT)}`)}`,
    verifyCommands: (src, t, { ssh }) =>
      Object.entries(src.databaseRowCounts ?? {}).flatMap(([db, tables]) =>
        Object.entries(tables).map(([table, n]) => onHost(ssh, `docker exec ${sh(t.target)} sh -c ${sh(`${CLIENT} -N -e ${sh(`SELECT COUNT(*) FROM ${mariadbIdent(db)}.${mariadbIdent(table)}`)}`)}`) + `   # ${n}`),
      ),
  },
  restoring: {
    copyFormat: 'sql',
    load: async ({ engine, target, stream, signal }) => {
      await loadMariadbDump({ engine, container: target, input: stream, ...(signal ? { signal } : {}) });
      return {};
    },
    openCurrent: async ({ engine, target, signal }) => ({ stream: (await openMariadbDump({ engine, container: target, ...(signal ? { signal } : {}) })).stream }),
    putBack: ({ engine, target, stream }) => loadMariadbDump({ engine, container: target, input: stream }),
    databases: {
      list: (engine, container, signal) => mariadbDatabases({ engine, container, ...(signal ? { signal } : {}) }),
      drop: (engine, container, database) => mariadbDropDatabase({ engine, container }, database),
      rowChecks: rowCountChecks,
    },
  },
};
