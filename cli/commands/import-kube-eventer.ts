import { Command } from 'commander';
// Type-only: the implementation still loads only when the command runs.
import type { ImportOptions } from '../import-kube-eventer/index.ts';

const collect = (value: string, previous: string[]) => [...previous, value];

/** `kube-wecom import-kube-eventer`: one command from kube-eventer's sink lines and ConfigMaps to a rules bundle. */
export const importKubeEventerCommand = new Command('import-kube-eventer')
  .description(
    'Turn kube-eventer --sink=webhook:… lines and body ConfigMaps into a rules bundle, with a report of what was ' +
      'mapped, what changed meaning, what needs a human, and the robot keys to store as secrets',
  )
  .option(
    '-s, --sink <value>',
    'a kube-eventer sink value, e.g. "webhook:https://qyapi…/send?key=K&level=Warning" (repeatable)',
    collect,
    [],
  )
  .option(
    '-d, --deployment <file>',
    'a kube-eventer Deployment manifest (YAML, multi-document ok): its --sink flags (repeatable)',
    collect,
    [],
  )
  .option(
    '-m, --configmap <file>',
    'YAML with the body ConfigMaps named by custom_body_configmap (repeatable)',
    collect,
    [],
  )
  .option(
    '-o, --out <file>',
    'write the bundle here and print the report; without it the bundle goes to stdout, the report to stderr',
  )
  .option('--cluster <name>', 'limit the imported routes to this cluster and prefix receiver names with it')
  .option('--json-report', 'print the report as JSON (for machines)')
  .addHelpText(
    'after',
    '\nExamples:\n' +
      '  npx kube-wecom import-kube-eventer --deployment kube-eventer.yaml --configmap body.yaml --out config/prod.json\n' +
      "  npx kube-wecom import-kube-eventer --sink 'webhook:https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K&level=Warning&method=POST'",
  )
  .action(async (options: ImportOptions) => {
    const { runImportKubeEventer } = await import('../import-kube-eventer/index.ts');
    process.exitCode = await runImportKubeEventer(options, process.stdout, process.stderr);
  });
