import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { BUNDLE_RULE, registerCommands } from './commands/index.ts';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/**
 * `kube-wecom`: the one CLI, built without parsing so tests can read every command's help. Each command loads its
 * implementation only when it runs, so `--help` and `--version` stay fast.
 */
export function buildProgram(): Command {
  const program = new Command()
    .name('kube-wecom')
    .description(
      'Kubernetes events to WeCom group robots: validate and preview rules, run the forwarder, migrate.',
    )
    .version(version, '-V, --version', 'print the version of kube-wecom')
    .showHelpAfterError()
    .enablePositionalOptions()
    .addHelpText(
      'after',
      `\n${BUNDLE_RULE}\n\nExamples:\n` +
        '  npm start                                                # the whole pipeline on this machine\n' +
        '  npx kube-wecom validate config/prod.json                 # before every deploy\n' +
        '  kubectl get events -A -o json | npx kube-wecom preview config/prod.json\n' +
        '  npx kube-wecom send-test config/prod.json --receiver platform-group\n' +
        '  npx kube-wecom <command> --help                          # options and examples of one command',
    );
  registerCommands(program);
  return program;
}
