import { describe, expect, it } from 'vitest';
import { isInventoryChange } from './event-watcher.js';

describe('isInventoryChange', () => {
  it('keeps container lifecycle and volume events, drops exec/attach noise and other types', () => {
    expect(isInventoryChange({ Type: 'container', Action: 'die' })).toBe(true);
    expect(isInventoryChange({ Type: 'container', Action: 'health_status: unhealthy' })).toBe(true);
    expect(isInventoryChange({ Type: 'container', Action: 'rename' })).toBe(true);
    expect(isInventoryChange({ Type: 'volume', Action: 'create' })).toBe(true);
    expect(isInventoryChange({ Type: 'container', Action: 'exec_start: sh -c pg_isready' })).toBe(false);
    expect(isInventoryChange({ Type: 'container', Action: 'exec_die' })).toBe(false);
    expect(isInventoryChange({ Type: 'container', Action: 'archive-path' })).toBe(false);
    expect(isInventoryChange({ Type: 'network', Action: 'connect' })).toBe(false);
  });
});
