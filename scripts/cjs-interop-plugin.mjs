// esbuild plugin for the ESM bundles (web host, CLI), whose packages stay external: Node's ESM
// loader cannot always see the named exports of a CommonJS package (`import { utils } from 'ssh2'`
// works under Vitest and esbuild but throws at run time under plain Node). For every external
// package that is CommonJS only, the import goes through a small shim that require()s it and
// re-exports its names. ESM packages (zod, ws, commander, …) are left as plain external imports.
import { readFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';

const NAMESPACE = 'cjs-interop';
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function packageNameOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** CommonJS only: not "type": "module" and no "import" condition in its exports. */
function isCommonJsOnly(requireFromRoot, name) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(requireFromRoot.resolve(`${name}/package.json`), 'utf8'));
  } catch {
    return false; // no readable package.json (exports hide it): leave the import alone
  }
  if (manifest.type === 'module') return false;
  return !JSON.stringify(manifest.exports ?? {}).includes('"import"');
}

export function cjsInteropPlugin(root) {
  const requireFromRoot = createRequire(path.join(root, 'package.json'));
  return {
    name: 'cjs-interop',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.namespace === NAMESPACE) return { path: args.path, external: true };
        const name = packageNameOf(args.path);
        if (args.path.startsWith('node:') || builtinModules.includes(name) || name === 'electron') return undefined;
        if (!isCommonJsOnly(requireFromRoot, name)) return { path: args.path, external: true };
        return { path: args.path, namespace: NAMESPACE };
      });
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => {
        const names = Object.keys(requireFromRoot(args.path)).filter((n) => IDENTIFIER.test(n) && n !== 'default');
        return {
          contents: [
            `import { createRequire } from 'node:module';`,
            `const mod = createRequire(import.meta.url)(${JSON.stringify(args.path)});`,
            `export default mod;`,
            names.length ? `export const { ${names.join(', ')} } = mod;` : '',
          ].join('\n'),
          loader: 'js',
          resolveDir: root,
        };
      });
    },
  };
}
