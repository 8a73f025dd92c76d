import { Command } from 'commander';
import { BUNDLE_RULE, chooseBundle, takesBundle } from './bundle-argument.ts';

/** `kube-wecom validate`: the check to run before every deploy. */
export const validateCommand = takesBundle(
  new Command('validate').description(
    'Validate a rules bundle: prints OK and a summary, or one "<JSON path>: <message>" line per problem (exit 1)',
  ),
)
  .option(
    '--normalized-out <file>',
    'when valid, also write the bundle as the function loads it: defaults applied, template files inlined ' +
      '(the Lambda build compiles this in, so the artifact needs no schema library)',
  )
  .addHelpText(
    'after',
    `\n${BUNDLE_RULE}\n\nExamples:\n` +
      '  npx kube-wecom validate config/prod.json\n' +
      '  npx kube-wecom validate --config config/dev.json --normalized-out /tmp/dev.normalized.json',
  )
  .action(async (bundle: string | undefined, options: { config?: string; normalizedOut?: string }) => {
    const path = chooseBundle(bundle, options.config, process.stderr);
    const { runValidate } = await import('../validate/run.ts');
    process.exitCode = await runValidate(path, process.stdout, process.stderr, options.normalizedOut);
  });
