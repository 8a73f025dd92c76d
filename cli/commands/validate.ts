import { Command } from 'commander';

/** `kube-wecom validate`: the check to run before every deploy. */
export const validateCommand = new Command('validate')
  .description(
    'Validate a rules bundle: prints OK and a summary, or one "<JSON path>: <message>" line per problem (exit 1)',
  )
  .option('-c, --config <file>', 'rules bundle', 'config/dev.json')
  .action(async (options: { config: string }) => {
    const { runValidate } = await import('../validate/run.ts');
    process.exitCode = await runValidate(options.config, process.stdout, process.stderr);
  });
