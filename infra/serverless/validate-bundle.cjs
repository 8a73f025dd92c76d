'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- serverless and serverless-esbuild load these files with require() */
// A local serverless plugin: an invalid rules bundle must fail `serverless package`/`deploy` before anything is built,
// with the same messages `kube-wecom validate` prints, instead of failing at the first cold start.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

/** Runs `kube-wecom validate --config <custom.kubeWecom.bundle>` before the deployment artifact is created. */
class ValidateBundlePlugin {
  constructor(serverless, _options, { log }) {
    this.serverless = serverless;
    this.log = log;
    this.hooks = {
      'before:package:createDeploymentArtifacts': () => this.validate(),
      'before:deploy:function:packageFunction': () => this.validate(),
    };
  }

  validate() {
    const serviceDir = this.serverless.serviceDir ?? this.serverless.config.serviceDir;
    const bundle = this.serverless.service.custom.kubeWecom.bundle;
    const result = spawnSync(
      process.execPath,
      [path.join(serviceDir, 'bin/kube-wecom.mjs'), 'validate', '--config', bundle],
      { cwd: serviceDir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
    );
    if (result.error) throw result.error;
    if (result.status !== 0) {
      const output = `${result.stdout}${result.stderr}`.trim();
      throw new this.serverless.classes.Error(
        `Rules bundle ${bundle} is invalid:\n${output}`,
        'KUBE_WECOM_INVALID_BUNDLE',
      );
    }
    this.log.notice(`Rules bundle ${bundle} is valid`);
  }
}

module.exports = ValidateBundlePlugin;
