#!/usr/bin/env node
// Bundles the forwarder into one ESM file for the container image (infra/Dockerfile), so the runtime image
// needs no node_modules. Usage: node scripts/build-forwarder.mjs [outdir]   (default: dist/forwarder)
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = resolve(process.argv[2] ?? resolve(root, 'dist/forwarder'));

/**
 * client-node's `KubeConfig` imports undici for its fetch-based API classes. The forwarder makes its calls with
 * `node:http` through `applyToHTTPSOptions`, which never reaches undici, yet loading undici cost 10–14 MiB of RSS
 * in every forwarder (measured right after start: 75 MiB with it, 62 without). Its imports resolve here instead;
 * esbuild fails the build if client-node ever imports another name, and a call, should one ever happen, says why
 * it fails.
 */
const withoutUndici = {
  name: 'without-undici',
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, () => ({ path: 'undici', namespace: 'without-undici' }));
    build.onLoad({ filter: /.*/, namespace: 'without-undici' }, () => ({
      loader: 'js',
      contents: `
        const absent = () => { throw new Error('undici is left out of the forwarder bundle (scripts/build-forwarder.mjs)'); };
        export class Agent { constructor() { absent(); } }
        export class ProxyAgent extends Agent {}
        export const fetch = absent;`,
    }));
  },
};

const result = await build({
  entryPoints: [resolve(root, 'forwarder/main.ts')],
  outfile: resolve(outdir, 'main.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  minifySyntax: true,
  // Whitespace too: V8 keeps the whole source text in memory (5 MiB of the idle process); identifiers stay, so
  // stack traces and logs name the functions (a fully minified bundle measured no smaller in RSS).
  minifyWhitespace: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  plugins: [withoutUndici],
  // Some dependencies are CommonJS and call require(); an ESM bundle has no require of its own.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(`built ${resolve(outdir, 'main.mjs')} (${(bytes / 1024 / 1024).toFixed(1)} MiB with source map)`);
