import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRegion, profileRegion } from './default-region.js';

describe('the region of a blank S3 repository', () => {
  const config = '[default]\nregion = eu-west-1\n\n[profile lab] ; a comment\nregion=eu-central-1\noutput = json\n';
  it('reads a profile section of the AWS config file', () => {
    expect(profileRegion(config, 'default')).toBe('eu-west-1');
    expect(profileRegion(config, 'lab')).toBe('eu-central-1');
    expect(profileRegion(config, 'other')).toBeUndefined();
  });
  it('AWS_REGION, then AWS_DEFAULT_REGION, then the profile, then us-east-1', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hs-aws-')), 'config');
    fs.writeFileSync(file, config);
    expect(defaultRegion(undefined, { AWS_REGION: 'ap-south-1', AWS_DEFAULT_REGION: 'x', AWS_CONFIG_FILE: file })).toBe('ap-south-1');
    expect(defaultRegion(undefined, { AWS_DEFAULT_REGION: 'ca-central-1', AWS_CONFIG_FILE: file })).toBe('ca-central-1');
    expect(defaultRegion('lab', { AWS_CONFIG_FILE: file })).toBe('eu-central-1');
    expect(defaultRegion(undefined, { AWS_PROFILE: 'lab', AWS_CONFIG_FILE: file })).toBe('eu-central-1');
    expect(defaultRegion(undefined, { AWS_CONFIG_FILE: path.join(file, 'missing') })).toBe('us-east-1');
  });
});
