/**
 * The region an S3 repository gets when the user leaves it blank, as the AWS CLI would pick it:
 * AWS_REGION, then AWS_DEFAULT_REGION, then the `region` of the profile (the one named, else
 * AWS_PROFILE, else "default") in the AWS config file (AWS_CONFIG_FILE or ~/.aws/config), else
 * us-east-1 (what S3-compatible servers expect when they do not care). Hand-written: the SDK's INI
 * loader is not a package of its own in our tree, and two keys of one section are all we read.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const FALLBACK_REGION = 'us-east-1';

export function profileRegion(configText: string, profile: string): string | undefined {
  const wanted = profile === 'default' ? ['default', 'profile default'] : [`profile ${profile}`];
  let inSection = false;
  for (const raw of configText.split(/\r?\n/)) {
    const line = raw.replace(/[;#].*$/, '').trim();
    const section = /^\[\s*(.+?)\s*\]$/.exec(line);
    if (section) {
      inSection = wanted.includes(section[1]!.replace(/\s+/g, ' '));
      continue;
    }
    const kv = /^region\s*=\s*(\S+)$/.exec(line);
    if (inSection && kv) return kv[1];
  }
  return undefined;
}

export function defaultRegion(profile?: string, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim();
  if (fromEnv) return fromEnv;
  const file = env.AWS_CONFIG_FILE || path.join(os.homedir(), '.aws', 'config');
  try {
    return profileRegion(fs.readFileSync(file, 'utf8'), profile || env.AWS_PROFILE || 'default') ?? FALLBACK_REGION;
  } catch {
    return FALLBACK_REGION;
  }
}
