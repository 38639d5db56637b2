/**
 * Vitest globalSetup of the `integration` project. Integration tests run against the real lab
 * (dockerd + sshd per machine, S3 on loopback); when the lab is not up they must FAIL, loudly and
 * with the fix, never skip — a skipped suite reads as green.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { LAB_JSON, type LabFacts } from './lab.js';

function tcpAccepts(host: string, port: number, timeoutMs = 3_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (problem?: string) => {
      sock.destroy();
      resolve(problem);
    };
    sock.setTimeout(timeoutMs, () => done(`no answer from ${host}:${port}`));
    sock.once('connect', () => done());
    sock.once('error', (e: NodeJS.ErrnoException) => done(`${host}:${port}: ${e.code ?? e.message}`));
  });
}

function dockerPings(socketPath: string, timeoutMs = 3_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/_ping', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? undefined : `${socketPath} answered HTTP ${res.statusCode}`);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(`${socketPath}: ${e.code ?? e.message}`));
  });
}

export default async function labGlobalSetup(): Promise<void> {
  await assertLabUp(LAB_JSON);
}

/** Throws, naming every problem and the fix, unless the lab described by `labJson` answers. */
export async function assertLabUp(labJson: string): Promise<void> {
  const LAB_JSON = labJson;
  const fix = 'Start it with `npm run lab:up` (needs root; see lab/up.sh), then run the integration tests again.';
  if (!fs.existsSync(LAB_JSON)) {
    throw new Error(`The test lab is not set up: ${LAB_JSON} does not exist. ${fix}`);
  }
  let lab: LabFacts;
  try {
    lab = JSON.parse(fs.readFileSync(LAB_JSON, 'utf8')) as LabFacts;
  } catch (e) {
    throw new Error(`The test lab's ${LAB_JSON} cannot be read (${(e as Error).message}). ${fix}`, { cause: e });
  }
  const checks: Array<Promise<string | undefined>> = [];
  for (const [name, m] of Object.entries(lab.machines ?? {})) {
    checks.push(dockerPings(m.localSocket).then((p) => p && `${name}: Docker engine not answering (${p})`));
    checks.push(tcpAccepts(m.address, m.port).then((p) => p && `${name}: sshd not accepting (${p})`));
  }
  if (lab.annex) checks.push(tcpAccepts(lab.annex.address, lab.annex.port).then((p) => p && `annex: sshd not accepting (${p})`));
  if (lab.s3) {
    const u = new URL(lab.s3.endpoint);
    checks.push(tcpAccepts(u.hostname, Number(u.port || 80)).then((p) => p && `s3: not accepting (${p})`));
  }
  if (!checks.length) throw new Error(`The test lab's ${LAB_JSON} lists no machines. ${fix}`);
  const problems = (await Promise.all(checks)).filter((p): p is string => !!p);
  if (problems.length) {
    throw new Error(`The test lab is not up:\n  - ${problems.join('\n  - ')}\n${fix}`);
  }
}
