import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/**
 * The renderer's bundle carries no schema library: zod was a sixth of it and a measured part of a
 * cold open (bench/ui). The lint rule stops direct imports; this catches one through shared/.
 */
describe('the renderer bundle', () => {
  it('holds no zod, directly or through shared/', async () => {
    const out = await build({ entryPoints: ['renderer/main.tsx'], bundle: true, write: false, metafile: true, format: 'esm', logLevel: 'silent', loader: { '.css': 'empty', '.svg': 'empty', '.png': 'empty' } });
    const inputs = Object.keys(out.metafile.inputs);
    expect(inputs.some((i) => i.includes('shared/rpc/client'))).toBe(true);
    expect(inputs.filter((i) => i.includes('node_modules/zod/'))).toEqual([]);
  }, 60_000);
});
