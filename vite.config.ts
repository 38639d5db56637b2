import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * The early start (renderer/early/early-start.ts): bundled on its own as a classic script and named
 * in index.html's head, so it runs while the app's module bundle is still being fetched and
 * compiled. Built only: vite's dev server leaves it out and the bundle connects by itself.
 */
function earlyStart(): Plugin {
  let fileName = '';
  let code = '';
  return {
    name: 'hindsight-early-start',
    apply: 'build',
    async buildStart() {
      const out = await build({
        entryPoints: [here('./renderer/early/early-start.ts')],
        bundle: true,
        format: 'iife',
        minify: true,
        target: 'es2022',
        write: false,
        legalComments: 'none',
        logLevel: 'warning',
      });
      code = out.outputFiles[0]!.text;
      fileName = `assets/early-start-${createHash('sha256').update(code).digest('base64url').slice(0, 8)}.js`;
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName, source: code });
    },
    // async: neither the parser nor the bundle's download waits for it (a blocking script here
    // started the bundle's download ~70 ms later); before the bundle's tags, so it is asked first.
    transformIndexHtml: {
      order: 'post',
      handler: (html) => html.replace('</title>', `</title>\n    <script async src="./${fileName}"></script>`),
    },
  };
}

// The renderer is one static bundle served two ways: loaded from file:// by Electron and over
// http by the web host. `base: './'` keeps every asset URL relative so both work.
export default defineConfig({
  root: here('./renderer'),
  base: './',
  plugins: [react(), earlyStart()],
  build: {
    outDir: here('./dist/renderer'),
    emptyOutDir: true,
    sourcemap: true,
    // The CSP forbids inline scripts; keep the module preload polyfill out of index.html.
    modulePreload: { polyfill: false },
  },
  server: { port: 5173, strictPort: true },
});
