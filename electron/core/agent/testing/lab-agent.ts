/**
 * For the agent's integration tests: the image `npm run build:agent` made (a missing image fails —
 * never skips — the tests), a variant of it with another image ID (an "older build" to upgrade
 * from), an S3 repository of the lab per test file, and a webhook receiver on the lab's hooks
 * address (reachable from inside every machine through lab/gateway.sh).
 */
import { createWriteStream } from 'node:fs';
import { createReadStream } from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { createHash } from 'node:crypto';
import tar from 'tar-stream';
import { RepositoryInput } from '../../../../shared/contract/repositories.js';
import type { RepositoriesStore } from '../../repository/index.js';
import { readLab } from '../../testing/lab.js';
import type { TaskContext } from '../../../../shared/contract/types.js';
import { runCliCaptured } from '../../../cli/testing/run-cli-captured.js';
import { createBackend as openRepository } from '../../repository/index.js';
import { labRestore } from '../../restore/testing/lab-restore.js';
import { TrustedWriters } from '../../signing/index.js';
import { uniqueName } from '../../sources/testing/lab-engines.js';
import { dockerCli } from '../../testing/lab.js';
import { AGENT_CONTAINER, AGENT_VOLUME, bundledAgentImage, type AgentImageInfo } from '../agent-image.js';
import { AgentManager } from '../agent-manager.js';

export function requireAgentImage(): AgentImageInfo {
  const image = bundledAgentImage();
  if (!image) throw new Error('No agent image in dist/agent: run `npm run build:agent` first (scripts/test.sh does).');
  return image;
}

/** The same image with one more label: another config, so another image ID and version. */
export async function variantImage(image: AgentImageInfo, dir: string, label: string): Promise<AgentImageInfo> {
  const version = `${image.version}-${label}`;
  const tag = `hindsight/agent:${version}`;
  const extract = tar.extract();
  const pack = tar.pack();
  let newId = '';
  let manifest: { header: tar.Header; body: string } | undefined;
  const oldHex = image.id.slice('sha256:'.length);
  extract.on('entry', (header, stream, next) => {
    const name = header.name.replace(/^\.\//, '');
    if (name === `${oldHex}.json` || name === 'manifest.json') {
      const parts: Buffer[] = [];
      stream.on('data', (d: unknown) => {
        parts.push(d as Buffer);
      });
      stream.on('end', () => {
        let body = Buffer.concat(parts).toString('utf8');
        if (name === 'manifest.json') {
          // Written last, once the new config's ID is known.
          manifest = { header, body };
          return next();
        } else {
          const cfg = JSON.parse(body) as { config: { Labels: Record<string, string> } };
          cfg.config.Labels[`org.hindsight.test.${label}`] = 'yes';
          cfg.config.Labels['org.hindsight.agent.version'] = version;
          body = JSON.stringify(cfg);
          newId = createHash('sha256').update(body).digest('hex');
        }
        pack.entry({ ...header, name: `${newId}.json`, size: Buffer.byteLength(body) }, body, next);
      });
      return;
    }
    stream.pipe(pack.entry(header, next));
  });
  extract.on('finish', () => {
    if (!manifest) return pack.destroy(new Error('the image archive has no manifest.json'));
    const body = manifest.body.replace(`${oldHex}.json`, `${newId}.json`).replace(image.tag, tag);
    pack.entry({ ...manifest.header, size: Buffer.byteLength(body) }, body, () => pack.finalize());
  });
  const file = path.join(dir, `hindsight-agent-${version}.tar.gz`);
  await Promise.all([pipeline(createReadStream(image.path), zlib.createGunzip(), extract), pipeline(pack, zlib.createGzip({ level: 1 }), createWriteStream(file))]);
  const bytes = (await fsp.stat(file)).size;
  return { tag, id: `sha256:${newId}`, version, file: path.basename(file), bytes, path: file };
}

/** A fresh S3 repository of the lab (own prefix), initialised. */
export async function labS3Repository(repositories: RepositoriesStore, name: string): Promise<string> {
  const s3 = readLab().s3!;
  const repo = await repositories.add(
    RepositoryInput.parse({
      name,
      kind: 's3',
      endpoint: s3.endpoint,
      region: s3.region,
      bucket: 'hindsight-lab',
      prefix: `${name}/`,
      forcePathStyle: true,
      credentials: { source: 'keys', accessKeyId: s3.accessKeyId },
      secretAccessKey: s3.secretAccessKey,
    }),
  );
  return repo.id;
}

export interface Received {
  method: string;
  path: string;
  body: unknown;
}

/** An HTTP server on the lab's hooks address recording every request. */
export async function hookReceiver(): Promise<{ received: Received[]; url: (p: string) => string; close: () => Promise<void> }> {
  const hooks = readLab().hooks;
  if (!hooks) throw new Error('lab.json has no hooks address: run npm run lab:up');
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        // kept as text
      }
      received.push({ method: req.method ?? '', path: req.url ?? '', body });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(hooks.port, hooks.address, () => resolve()));
  return {
    received,
    url: (p) => `http://${hooks.address}:${hooks.port}${p}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/**
 * What the agent's scheduled-run and drill tests share: the lab's hosts in a fresh console config,
 * no agent left on uat by an earlier run, an initialised S3 repository of their own, the webhook
 * receiver, and an AgentManager with the built image. `dispose` removes the agent (and its state).
 */
export async function agentTestBed(repoPrefix: string) {
  const image = requireAgentImage();
  const t = await labRestore();
  const uat = t.lab.machines.uat;
  await dockerCli(uat, 'rm', '-f', AGENT_CONTAINER).catch(() => undefined);
  await dockerCli(uat, 'volume', 'rm', '-f', AGENT_VOLUME).catch(() => undefined);
  const cli = (...args: string[]) => runCliCaptured(t.configDir, args);
  const repoName = uniqueName(repoPrefix);
  const repositoryId = await labS3Repository(t.repositories, repoName);
  const init = await cli('repo', 'init', repoName);
  if (init.code !== 0) throw new Error(`repo init ${repoName}: ${init.err}`);
  const repo = openRepository(await t.repositories.stored(repositoryId), await t.repositories.secrets(repositoryId), { configDir: t.configDir });
  const hooks = await hookReceiver();
  const manager = new AgentManager({ configDir: t.configDir, hosts: t.hosts, engineFor: (id) => t.engine(id), repositories: t.repositories, trusted: new TrustedWriters(t.configDir), image: () => image });
  const ctx = (): TaskContext => ({ signal: new AbortController().signal, report: () => undefined });
  return {
    t,
    cli,
    repoName,
    repositoryId,
    repo,
    hooks,
    manager,
    ctx,
    async dispose() {
      await manager.remove(t.ids.uat, true, ctx()).catch(() => undefined);
      await hooks.close();
      await repo.close().catch(() => undefined);
      await t.dispose();
    },
  };
}
export type AgentTestBed = Awaited<ReturnType<typeof agentTestBed>>;
