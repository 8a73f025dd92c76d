import { Command } from 'commander';
import { BUNDLE_RULE, chooseBundle, takesBundle } from './bundle-argument.ts';

/** `kube-wecom preview`: a dry run of the function's decisions over events you have at hand. No network. */
export const previewCommand = takesBundle(
  new Command('preview').description(
    'Dry-run a rules bundle over events: one JSON line per input event ' +
      '{ index, uid, notify, routes, receivers, suppressedBy, messages }. Bad input lines and template failures ' +
      '(the built-in template was used) are reported on stderr with their line. Exit 2 if any input was bad.',
  ),
)
  .option(
    '-e, --events <file>',
    'events: JSON lines or concatenated JSON of Events (core/v1, events.k8s.io/v1), watch events, envelopes, ' +
      'arrays, or `kubectl get events -o json` output; "-" is standard input',
    '-',
  )
  .option('--now <iso>', 'the clock for silences and relative times (default: now)')
  .option('--cluster <name>', 'cluster name for events that carry none (envelopes carry their own)', 'local')
  .option(
    '--batch',
    'treat the whole input as one queue batch: print each message the function would send ' +
      '{ receiver, msgtype, body, events } (events = the input indexes it covers), after collapsing, grouping and budgets',
  )
  .addHelpText(
    'after',
    `\n${BUNDLE_RULE}\n\nExamples:\n` +
      '  kubectl get events -A -o json | npx kube-wecom preview config/dev.json\n' +
      '  npx kube-wecom preview --config config/prod.json --events tests/fixtures/events/core-v1.jsonl --batch',
  )
  .action(
    async (
      bundle: string | undefined,
      options: { config?: string; events: string; now?: string; cluster: string; batch?: boolean },
    ) => {
      const config = chooseBundle(bundle, options.config, process.stderr);
      const { runPreview } = await import('../preview/run.ts');
      process.exitCode = await runPreview(
        { ...options, config },
        { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
      );
    },
  );
