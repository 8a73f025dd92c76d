'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- serverless and serverless-esbuild load these files with require() */
// esbuild options for serverless-esbuild (custom.esbuild.config). With a config file the plugin ignores every other
// custom.esbuild key, so everything the Lambda artifact needs is here.
const { readFileSync } = require('node:fs');
const path = require('node:path');

/** The import specifier under which the handler receives the stage's rules bundle. */
const BUNDLE_MODULE = 'kube-wecom-bundle';

/**
 * Resolves `import bundle from 'kube-wecom-bundle'` to the stage's rules bundle (custom.kubeWecom.bundle), with
 * `{ "file": … }` templates inlined, so the artifact is self-contained and reads no files at run time.
 */
function rulesBundlePlugin(bundleFile) {
  return {
    name: BUNDLE_MODULE,
    setup(build) {
      build.onResolve({ filter: /^kube-wecom-bundle$/ }, () => ({
        path: bundleFile,
        namespace: BUNDLE_MODULE,
      }));
      build.onLoad({ filter: /.*/, namespace: BUNDLE_MODULE }, (args) => {
        const bundle = JSON.parse(readFileSync(args.path, 'utf8'));
        const watchFiles = [args.path];
        for (const [name, source] of Object.entries(bundle.templates ?? {})) {
          if (source === null || typeof source !== 'object' || typeof source.file !== 'string') continue;
          // Template paths are relative to the bundle (Contract 3), not to the working directory.
          const file = path.resolve(path.dirname(args.path), source.file);
          bundle.templates[name] = readFileSync(file, 'utf8');
          watchFiles.push(file);
        }
        return { contents: JSON.stringify(bundle), loader: 'json', watchFiles };
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
    plugins: [rulesBundlePlugin(path.resolve(serviceDir, bundle)), dependenciesOutOfSourceMapPlugin()],
  };
};
