import { Command } from 'commander';
import { registerCommands } from './commands/index.ts';

/** `kube-wecom`: the one CLI. Each command loads its implementation only when it runs, so `--help` stays fast. */
const program = new Command()
  .name('kube-wecom')
  .description(
    'Kubernetes events to WeCom group robots: validate and preview rules, run the forwarder, migrate.',
  )
  .showHelpAfterError()
  .enablePositionalOptions();

registerCommands(program);

// `kube-wecom preview … | head` closes the pipe early; that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

try {
  await program.parseAsync(process.argv);
} catch (err) {
  console.error(`kube-wecom: ${(err as Error).message}`);
  process.exitCode = process.exitCode || 1;
}
