/**
 * System directories a restore never writes into, whatever a manifest or a user says: clearing them
 * breaks the container, and writing into them is how a hostile snapshot would run code (binaries,
 * libraries, cron, profile scripts, sshd and PAM configuration). A directory source's path in the
 * manifest is only the default the user sees and can change (restore --path, the wizard's field);
 * these are refused either way — by the plan, and again by the sink right before it writes.
 */
const SYSTEM_EXACT = new Set(['/', '/etc', '/usr', '/usr/local', '/var', '/var/lib', '/var/spool', '/opt', '/home', '/root', '/srv', '/run', '/tmp', '/mnt', '/media']);
const SYSTEM_TREES = [
  '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/boot', '/dev', '/proc', '/sys',
  '/usr/bin', '/usr/sbin', '/usr/lib', '/usr/lib32', '/usr/lib64', '/usr/libexec', '/usr/local/bin', '/usr/local/sbin', '/usr/local/lib',
  '/etc/cron.d', '/etc/cron.daily', '/etc/cron.hourly', '/etc/cron.weekly', '/etc/cron.monthly', '/etc/init.d', '/etc/profile.d',
  '/etc/sudoers.d', '/etc/systemd', '/etc/ld.so.conf.d', '/etc/pam.d', '/etc/ssh', '/var/spool/cron',
];

/** "/a//b/" → "/a/b". */
export function normalDirectory(path: string): string {
  return '/' + path.split('/').filter(Boolean).join('/');
}

/** Why `path` may not be a restore target, or undefined when it may. */
export function restorePathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return `The directory "${path}" must be an absolute path inside the container.`;
  if (path.split('/').some((p) => p === '..' || p === '.')) return `The directory "${path}" must not contain "." or "..".`;
  const p = normalDirectory(path);
  const tree = SYSTEM_TREES.find((t) => p === t || p.startsWith(`${t}/`));
  if (!SYSTEM_EXACT.has(p) && !tree) return undefined;
  return `${p} is a system directory${tree && tree !== p ? ` (under ${tree})` : ''}: a restore never clears or writes it. Restore into the application's own directory.`;
}
