/**
 * MariaDB/MySQL and MongoDB sources and sinks: the same exec plumbing as PostgreSQL, only the
 * commands differ (commands.ts says which, and where credentials come from).
 *
 *   MariaDB  mariadb-dump|mysqldump --all-databases|--databases <db> --single-transaction …  → .sql
 *            mariadb|mysql < dump.sql
 *   MongoDB  mongodump --archive [--db <db>]  → .archive
 *            mongorestore --archive --drop [--nsInclude '<db>.*']
 *
 * The lab has no image for either, so only their command construction is tested (commands.test.ts).
 */
import type { Readable } from 'node:stream';
import type { Engine } from '../docker/engine.js';
import { mariadbDumpCommand, mariadbLoadCommand, mongoDumpCommand, mongoRestoreCommand, type DbCommand, type ContainerEnv } from './commands.js';
import { runningContainer } from './containers.js';
import { watchInput } from './errors.js';
import { execStream, execWithInput } from './exec.js';

interface DbTarget {
  engine: Engine;
  container: string;
  /** One database (default: all). */
  database?: string;
  signal?: AbortSignal;
}

export interface DbDump {
  stream: Readable;
  command: string;
  containerId: string;
  image: string;
}

async function openDump(t: DbTarget, kind: string, build: (env: ContainerEnv) => DbCommand): Promise<DbDump> {
  const c = await runningContainer(t.engine, t.container, t.signal);
  const command = build(c.env);
  const what = `Dumping ${kind} (${t.database ?? 'all databases'}) in ${c.name} on ${t.engine.name}`;
  const stream = await execStream(t.engine, { container: c.id, cmd: command.cmd, env: command.env }, { what, signal: t.signal });
  return { stream, command: command.display, containerId: c.id, image: c.image };
}

async function load(t: DbTarget & { input: Readable }, kind: string, build: (env: ContainerEnv) => DbCommand): Promise<void> {
  const watch = watchInput(t.input);
  try {
    const c = await runningContainer(t.engine, t.container, t.signal);
    const command = build(c.env);
    const what = `Loading ${kind} (${t.database ?? 'all databases'}) into ${c.name} on ${t.engine.name}`;
    await execWithInput(t.engine, { container: c.id, cmd: command.cmd, env: command.env }, t.input, { what, signal: t.signal });
  } catch (e) {
    throw watch.explain(e);
  } finally {
    watch.dispose();
    if (!t.input.readableEnded) t.input.destroy();
  }
}

export function openMariadbDump(t: DbTarget & { user?: string }): Promise<DbDump> {
  return openDump(t, 'MariaDB', (env) => mariadbDumpCommand(env, t));
}

export function loadMariadbDump(t: DbTarget & { user?: string; input: Readable }): Promise<void> {
  // A dump of one database carries its own CREATE DATABASE/USE (--databases), so no target db here.
  return load(t, 'MariaDB', (env) => mariadbLoadCommand(env, { user: t.user }));
}

export function openMongoDump(t: DbTarget): Promise<DbDump> {
  return openDump(t, 'MongoDB', (env) => mongoDumpCommand(env, t));
}

export function loadMongoDump(t: DbTarget & { input: Readable }): Promise<void> {
  return load(t, 'MongoDB', (env) => mongoRestoreCommand(env, t));
}
