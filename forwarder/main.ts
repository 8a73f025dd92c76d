import { Command } from 'commander';
import { forwarderOptions, parseForwarderConfig } from './config/index.ts';
import type { RawForwarderOptions } from './config/index.ts';
import { runForwarder } from './run.ts';

/** The container entrypoint (bundled by scripts/build-forwarder.mjs): the same flags as `kube-wecom forwarder`. */
const program = new Command()
  .name('kube-wecom-forwarder')
  .description('Forward Kubernetes Events to SQS as envelope v1.');
for (const option of forwarderOptions()) program.addOption(option);
program.action(async (raw: RawForwarderOptions) => {
  await runForwarder(parseForwarderConfig(raw), { handleSignals: true });
});

try {
  await program.parseAsync(process.argv);
} catch (err) {
  console.error(`kube-wecom-forwarder: ${(err as Error).message}`);
  process.exit(1);
}
