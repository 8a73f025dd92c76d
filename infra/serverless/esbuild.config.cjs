'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- serverless and serverless-esbuild load these files with require() */
// esbuild options for serverless-esbuild (custom.esbuild.config). With a config file the plugin ignores every other
// custom.esbuild key, so everything the Lambda artifact needs is here.
const { spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

/** The import specifier under which the handler receives the stage's rules bundle. */
const BUNDLE_MODULE = 'kube-wecom-bundle';

/**
 * Resolves `import bundle from 'kube-wecom-bundle'` to the stage's rules bundle (custom.kubeWecom.bundle), with
 * `{ "file": … }` templates inlined, so the artifact is self-contained and reads no files at run time.
 */
function rulesBundlePlugin(bundleFile, serviceDir) {
  return {
    name: BUNDLE_MODULE,
    setup(build) {
      build.onResolve({ filter: /^kube-wecom-bundle$/ }, () => ({
        path: bundleFile,
        namespace: BUNDLE_MODULE,
      }));
      build.onLoad({ filter: /.*/, namespace: BUNDLE_MODULE }, (args) => {
        // `kube-wecom validate --normalized-out` writes the bundle as the function loads it (defaults applied,
        // template files inlined), so the artifact carries no schema library and its cold start parses none.
        const out = path.join(mkdtempSync(path.join(tmpdir(), 'kube-wecom-bundle-')), 'bundle.json');
        const result = spawnSync(
          process.execPath,
          [
            path.join(serviceDir, 'bin/kube-wecom.mjs'),
            'validate',
            '--config',
            args.path,
            '--normalized-out',
            out,
          ],
          { cwd: serviceDir, encoding: 'utf8' },
        );
        if (result.status !== 0) {
          return {
            errors: [{ text: `rules bundle ${args.path} is invalid:\n${result.stdout}${result.stderr}` }],
          };
        }
        const contents = readFileSync(out, 'utf8');
        rmSync(path.dirname(out), { recursive: true, force: true });
        const bundle = JSON.parse(readFileSync(args.path, 'utf8'));
        const templateFiles = Object.values(bundle.templates ?? {})
          .filter(
            (source) => source !== null && typeof source === 'object' && typeof source.file === 'string',
          )
          .map((source) => path.resolve(path.dirname(args.path), source.file));
        return { contents, loader: 'json', watchFiles: [args.path, ...templateFiles] };
      });
    },
  };
}

/**
 * Keeps dependencies out of the source map. A map of every bundled file is bigger than the code (it took the zip
 * near 1 MiB) and Node parses it at start with --enable-source-maps. Each dependency file instead gets a one-entry
 * map, so a frame inside it still names the file (line 1), while our own code keeps exact positions.
 * esbuild ≥ 0.25.2 ignores maps without a source position, hence "AAAA" rather than the older "A" (evanw/esbuild#4130).
 */
function dependenciesOutOfSourceMapPlugin() {
  return {
    name: 'dependencies-out-of-source-map',
    setup(build) {
      build.onLoad({ filter: /[\\/]node_modules[\\/].*\.[cm]?js$/ }, (args) => {
        // Sources resolve against the file's own directory, so its base name points at the file itself.
        const map = { version: 3, sources: [path.basename(args.path)], mappings: 'AAAA' };
        const comment = `\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}`;
        return { contents: readFileSync(args.path, 'utf8') + comment, loader: 'js' };
      });
    },
  };
}

/**
 * Leaves out mime-db (137 KB, a third of the first module Node parses at cold start), which axios pulls in through
 * form-data → mime-types only to guess the content type of a file in a multipart upload. The function only ever
 * posts JSON strings; with an empty database a multipart part would fall back to application/octet-stream.
 */
function withoutMimeDatabasePlugin() {
  return {
    name: 'without-mime-database',
    setup(build) {
      build.onResolve({ filter: /^mime-db$/ }, () => ({
        path: 'mime-db',
        namespace: 'without-mime-database',
      }));
      build.onLoad({ filter: /.*/, namespace: 'without-mime-database' }, () => ({
        contents: 'module.exports = {};',
        loader: 'js',
      }));
    },
  };
}

/** serverless-esbuild calls this with the resolved service; the bundle path comes from custom.kubeWecom.bundle. */
module.exports = (serverless) => {
  const serviceDir = serverless.serviceDir ?? serverless.config.serviceDir;
  const bundle = serverless.service.custom.kubeWecom.bundle;
  return {
    bundle: true,
    minify: true,
    // Only the mappings: Node's --enable-source-maps needs no sources, and they would triple the zip.
    sourcemap: true,
    sourcesContent: false,
    format: 'esm',
    // Code that only some cold starts need (the SSM client for `ssm:` webhooks, the SQS client for the first dead
    // letter) is imported with import() and split into chunks beside the handler, so Node parses it only when used.
    splitting: true,
    outputFileExtension: '.mjs',
    platform: 'node',
    mainFields: ['module', 'main'],
    // Bundle everything, @aws-sdk/* included: the runtime's SDK is whatever version AWS ships that week.
    exclude: [],
    // Some CommonJS dependencies call require() for Node built-ins, which an ESM bundle has to provide.
    banner: {
      js: "import { createRequire as __kubeWecomCreateRequire } from 'node:module'; const require = __kubeWecomCreateRequire(import.meta.url);",
    },
    define: { 'process.env.KUBE_WECOM_BUNDLE': JSON.stringify(bundle) },
    plugins: [
      rulesBundlePlugin(path.resolve(serviceDir, bundle), serviceDir),
      dependenciesOutOfSourceMapPlugin(),
      withoutMimeDatabasePlugin(),
    ],
  };
};
