import { Command } from 'commander';

/** `kube-wecom schema`: writes the JSON Schema editors use to autocomplete bundles. */
export const schemaCommand = new Command('schema')
  .description(
    'Print (or write) the JSON Schema of the rules bundle, generated from the same schema validate uses',
  )
  .option('-o, --out <file>', 'write to this file instead of standard output')
  .addHelpText(
    'after',
    '\nExamples:\n' +
      '  npx kube-wecom schema --out config/schema.json   # what npm run schema does\n' +
      '  npx kube-wecom schema | jq .properties.routes',
  )
  .action(async (options: { out?: string }) => {
    const { bundleJsonSchema } = await import('../../functions/bundle/json-schema.ts');
    const text = `${JSON.stringify(bundleJsonSchema(), null, 2)}\n`;
    if (!options.out) {
      process.stdout.write(text);
      return;
    }
    const { writeFile } = await import('node:fs/promises');
    await writeFile(options.out, text);
  });
