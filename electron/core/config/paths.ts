/**
 * Where Hindsight keeps its configuration, computed without Electron so the CLI, the web host and
 * tests agree with the desktop app: HINDSIGHT_CONFIG_DIR wins, else the platform's app-config dir
 * (the same place Electron's app.getPath('userData') would give for the product name "Hindsight",
 * except on Linux where we follow the lowercase XDG convention).
 */
import os from 'node:os';
import path from 'node:path';

export interface PlatformEnv {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  home: string;
}

export function defaultConfigDir(
  { platform, env, home }: PlatformEnv = { platform: process.platform, env: process.env, home: os.homedir() },
): string {
  if (env.HINDSIGHT_CONFIG_DIR) return path.resolve(env.HINDSIGHT_CONFIG_DIR);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Hindsight');
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Hindsight');
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'hindsight');
}

/** The files inside a config dir. */
export function configFiles(configDir: string) {
  return {
    hosts: path.join(configDir, 'hosts.json'),
    secrets: path.join(configDir, 'secrets.json'),
    knownHosts: path.join(configDir, 'known_hosts'),
  };
}

/** The user's own OpenSSH known_hosts, consulted read-only. */
export function userKnownHostsPath(home = os.homedir()): string {
  return path.join(home, '.ssh', 'known_hosts');
}

/** Expands a leading "~" the way a shell (and OpenSSH) would. */
export function expandHome(p: string, home = os.homedir()): string {
  if (p === '~') return home;
  if (p.startsWith('~/') || p.startsWith('~\\')) return path.join(home, p.slice(2));
  return p;
}
