import { Command, Option } from 'commander';
import { BUNDLE_RULE, chooseBundle, takesBundle, type ParsedBundleOptions } from './bundle-argument.ts';
// Type-only: the implementation still loads only when the command runs.
import type { StartOptions } from '../../local/start/index.ts';

/** `kube-wecom start` (`npm start`): the whole pipeline on this machine, with a live WeCom preview page. */
export const startCommand = takesBundle(
  new Command('start').description(
    'Run the whole pipeline locally: fauxqs queue + DLQ, the forwarder, the function behind a local event source ' +
      'mapping, and a WeCom emulator with a live preview page. Events come from your cluster if a kubeconfig ' +
      'reaches one, else from a bundled incident replayed through a fake API server.',
  ),
)
  .option('-e, --events <file>', 'replay these events (any file `preview` reads) instead of the incident')
  .option('--kubeconfig <file>', 'watch this cluster (default: KUBECONFIG or ~/.kube/config, if it answers)')
  .option('--no-cluster', 'do not look for a cluster; replay the bundled incident')
  .option('-p, --port <port>', 'port of the preview page and WeCom emulator on 127.0.0.1 (0: any)', '8787')
  .addOption(
    new Option('--deliver <where>', 'where messages go: the local emulator, or the real robots of the bundle')
      .choices(['emulator', 'real'])
      .default('emulator'),
  )
  .option('--speed <factor>', 'replay time compression (2 = twice as fast)', '1')
  .option('--once', 'replay, wait until everything is delivered, then exit (tests, CI)')
  .addHelpText(
    'after',
    `\n${BUNDLE_RULE}\n\nExamples:\n` +
      '  npm start                                   # the bundled incident, page on http://127.0.0.1:8787/\n' +
      '  npx kube-wecom start config/dev.json --kubeconfig ~/.kube/staging\n' +
      '  kubectl get events -A -o json > ev.json && npx kube-wecom start --events ev.json --speed 4',
  )
  .action(async (bundle: string | undefined, options: ParsedBundleOptions<StartOptions>) => {
    const config = chooseBundle(bundle, options.config, process.stderr);
    const { runStart } = await import('../../local/start/index.ts');
    const code = await runStart(
      { ...options, config },
      {
        stdout: process.stdout,
        stderr: process.stderr,
        env: process.env,
      },
    );
    // Keep-alive sockets of the SDK and Kubernetes clients would hold the process open after a clean stop.
    process.exit(code);
  });
