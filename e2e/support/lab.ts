import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The facts the lab writes for tests (lab/config.sh). Only what the e2e specs use. */
export interface LabMachine {
  name: string;
  address: string;
  port: number;
  user: string;
  keyPath: string;
  wrongKeyPath: string;
  /** The engine socket on the machine (not /var/run/docker.sock: the lab's machines share one filesystem). */
  remoteSocket: string;
  localSocket: string;
  hostKeyFingerprint: string;
}
export interface Lab {
  machines: Record<'production' | 'uat' | 'science', LabMachine>;
}

export const LAB_JSON = path.resolve(import.meta.dirname, '../../.lab/lab.json');

export function readLab(): Lab {
  if (!existsSync(LAB_JSON)) throw new Error(`${LAB_JSON} is missing: the lab is not up. Run "npm run lab:up" first.`);
  return JSON.parse(readFileSync(LAB_JSON, 'utf8')) as Lab;
}
