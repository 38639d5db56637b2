/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per package/file,
 * idle and GC included, so "where does the main thread's time go" has a short answer.
 *
 *   npx tsx bench/profile-summary.ts /tmp/prof/CPU.….cpuprofile [--top=25] [--last=SECONDS]
 *
 * `--last=S` counts only the profile's last S seconds (e.g. the restore after a backup).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [--top=N]');
const top = Number(process.argv.find((a) => a.startsWith('--top='))?.slice(6) ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
const lastSeconds = Number(process.argv.find((a) => a.startsWith('--last='))?.slice(7) ?? 0);
const since = lastSeconds > 0 ? profile.endTime - lastSeconds * 1e6 : profile.startTime;
let at = profile.startTime;
profile.samples.forEach((id, i) => {
  at += profile.timeDeltas[i] ?? 0;
  if (at >= since) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = profile.endTime - since;

/** "node_modules/ssh2/…" → "ssh2"; our files by path; node internals by module. */
function where(url: string): string {
  if (!url) return '(native/VM)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return url;
  const m = /\/(electron|bench|shared)\/.*$/.exec(url);
  return m ? m[0].slice(1) : url;
}

const fnTime = new Map<string, number>();
const fileTime = new Map<string, number>();
for (const [id, us] of self) {
  const n = byId.get(id)!;
  const w = where(n.callFrame.url);
  const fn = `${n.callFrame.functionName || '(anonymous)'}  ${w}:${n.callFrame.lineNumber + 1}`;
  fnTime.set(fn, (fnTime.get(fn) ?? 0) + us);
  fileTime.set(w, (fileTime.get(w) ?? 0) + us);
}
const show = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${(us / 1000).toFixed(0).padStart(7)} ms  ${((us / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
  }
};
console.log(`profile: ${(total / 1e6).toFixed(2)} s wall on the main thread`);
show('self time by file/package', fileTime);
show('self time by function', fnTime);

// --callers=NAME: the call stacks (innermost first, 6 deep) that lead to a function's self time.
const callers = process.argv.find((a) => a.startsWith('--callers='))?.slice(10);
const depth = Number(process.argv.find((a) => a.startsWith("--depth="))?.slice(8) ?? 6);
if (callers) {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stacks = new Map<string, number>();
  for (const [id, us] of self) {
    if (byId.get(id)!.callFrame.functionName !== callers) continue;
    const names: string[] = [];
    for (let p = parent.get(id), i = 0; p !== undefined && i < depth; p = parent.get(p), i++) {
      const f = byId.get(p)!.callFrame;
      names.push(`${f.functionName || '(anon)'}@${where(f.url)}:${f.lineNumber + 1}`);
    }
    const key = names.join(' < ');
    stacks.set(key, (stacks.get(key) ?? 0) + us);
  }
  show(`callers of ${callers}`, stacks);
}
