import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfigDir, expandHome } from './paths.js';

describe('defaultConfigDir', () => {
  it('honours HINDSIGHT_CONFIG_DIR first', () => {
    expect(defaultConfigDir({ platform: 'linux', env: { HINDSIGHT_CONFIG_DIR: '/tmp/h' }, home: '/home/u' })).toBe(path.resolve('/tmp/h'));
  });
  it('follows each platform convention', () => {
    expect(defaultConfigDir({ platform: 'linux', env: {}, home: '/home/u' })).toBe(path.join('/home/u', '.config', 'hindsight'));
    expect(defaultConfigDir({ platform: 'linux', env: { XDG_CONFIG_HOME: '/x' }, home: '/home/u' })).toBe(path.join('/x', 'hindsight'));
    expect(defaultConfigDir({ platform: 'darwin', env: {}, home: '/Users/u' })).toBe(
      path.join('/Users/u', 'Library', 'Application Support', 'Hindsight'),
    );
    expect(defaultConfigDir({ platform: 'win32', env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, home: 'C:\\Users\\u' })).toBe(
      path.join('C:\\Users\\u\\AppData\\Roaming', 'Hindsight'),
    );
  });
});

describe('expandHome', () => {
  it('expands a leading ~ only', () => {
    expect(expandHome('~/.ssh/id', '/home/u')).toBe(path.join('/home/u', '.ssh/id'));
    expect(expandHome('~', '/home/u')).toBe('/home/u');
    expect(expandHome('/a/~/b', '/home/u')).toBe('/a/~/b');
  });
});
