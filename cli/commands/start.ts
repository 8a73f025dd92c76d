import { Command } from 'commander';

/** `kube-wecom start` (`npm start`): the local demo. */
export const startCommand = new Command('start')
  .description('Run kube-wecom locally on an embedded default (today: preview of the bundled example events)')
  .option('-c, --config <file>', 'rules bundle', 'config/example.json')
  .option('-e, --events <file>', 'events to replay', 'tests/fixtures/events/core-v1.jsonl')
  .action(async (options: { config: string; events: string }) => {
    process.stderr.write(
      'kube-wecom start: the local pipeline (fake API server → forwarder → queue → function → WeCom emulator) ' +
        'is not built yet; showing what the rules decide for the bundled example events instead.\n',
    );
    const { runPreview } = await import('../preview/run.ts');
    process.exitCode = await runPreview(
      { config: options.config, events: options.events, cluster: 'local-demo' },
      { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
    );
  });
