import type { Command } from 'commander';
import { forwarderCommand } from './forwarder.ts';
import { importKubeEventerCommand } from './import-kube-eventer.ts';
import { previewCommand } from './preview.ts';
import { redriveCommand } from './redrive.ts';
import { reportCommand } from './report.ts';
import { schemaCommand } from './schema.ts';
import { sendTestCommand } from './send-test.ts';
import { startCommand } from './start.ts';
import { validateCommand } from './validate.ts';

/** Every command, in the order `--help` lists them. Each file defines options and help, and loads its code lazily. */
export function registerCommands(program: Command): void {
  program.addCommand(validateCommand);
  program.addCommand(previewCommand);
  program.addCommand(reportCommand);
  program.addCommand(schemaCommand);
  program.addCommand(sendTestCommand);
  program.addCommand(startCommand);
  program.addCommand(forwarderCommand);
  program.addCommand(redriveCommand);
  program.addCommand(importKubeEventerCommand);
}
export { BUNDLE_RULE } from './bundle-argument.ts';
