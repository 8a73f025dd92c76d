import { Command } from 'commander';

/** `kube-wecom validate`: the check to run before every deploy. */
export const validateCommand = new Command('validate')
  .description(
    'Validate a rules bundle: prints OK and a summary, or one "<JSON path>: <message>" line per problem (exit 1)',
  )
  .option('-c, --config <file>', 'rules bundle', 'config/dev.json')
  .option(
    '--normalized-out <file>',
    'when valid, also write the bundle as the function loads it: defaults applied, template files inlined ' +
      '(the Lambda build compiles this in, so the artifact needs no schema library)',
  )
  .action(async (options: { config: string; normalizedOut?: string }) => {
    const { runValidate } = await import('../validate/run.ts');
    process.exitCode = await runValidate(
      options.config,
      process.stdout,
      process.stderr,
      options.normalizedOut,
    );
  });
