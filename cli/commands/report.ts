import { Command } from 'commander';
import { BUNDLE_RULE, chooseBundle, takesBundle } from './bundle-argument.ts';

/** `kube-wecom report`: what a bundle would have sent for captured events, replayed through the real pipeline. */
export const reportCommand = takesBundle(
  new Command('report').description(
    'Replay captured events through the real pipeline (batched as deployed: 100 records or 10 s; the shared ' +
      'budget, repeat windows and deferrals in memory; a virtual clock) and report per route and receiver: events ' +
      'matched, notifications, messages/hour, the busiest minute against each robot’s limit, what reached no route, ' +
      'what silences and repeat policies held back, and changes that would cut the noise (each one replayed). ' +
      'Exit 2 if any input was bad or dead-lettered.',
  ),
)
  .option(
    '-e, --events <file>',
    'anything `preview` reads (Events, watch events, envelopes from a capture or the DLQ, ' +
      '`kubectl get events -A -o json`); "-" is standard input',
    '-',
  )
  .option('--cluster <name>', 'cluster name for events that carry none (envelopes carry their own)', 'local')
  .option('--html <file>', 'also write a self-contained page with per-robot per-minute charts')
  .option('--json', 'print the figures as JSON, for scripts')
  .addHelpText(
    'after',
    `\n${BUNDLE_RULE}\n\nExamples:\n` +
      '  kubectl get events -A -o json | npx kube-wecom report config/prod.json\n' +
      '  npx kube-wecom report --config config/example.json --events local/incident/capture.jsonl --html report.html',
  )
  .action(
    async (
      bundle: string | undefined,
      options: { config?: string; events: string; cluster: string; html?: string; json?: boolean },
    ) => {
      const config = chooseBundle(bundle, options.config, process.stderr);
      const { runReport } = await import('../report/run.ts');
      process.exitCode = await runReport(
        { ...options, config },
        { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
      );
    },
  );
