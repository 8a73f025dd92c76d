/**
 * The stage's rules bundle, as written in `config/<stage>.json` with `{ "file": … }` templates inlined. Only the
 * Lambda build provides this module (infra/serverless/esbuild.config.cjs); parse it with `bundleSchema` before use.
 */
declare module 'kube-wecom-bundle' {
  const bundle: unknown;
  export default bundle;
}
