import { Command } from 'commander';
import { forwarderOptions } from '../../forwarder/config/index.ts';
import type { RawForwarderOptions } from '../../forwarder/config/index.ts';

/** `kube-wecom forwarder`: the in-cluster process; its flags mirror environment variables (see docs/forwarder.md). */
export const forwarderCommand = new Command('forwarder')
  .description('Watch Kubernetes Events and forward them to SQS as envelope v1 (the in-cluster process)')
  .addHelpText(
    'after',
    '\nEvery flag can also be set by the environment variable shown. See docs/forwarder.md.',
  )
  .action(async (raw: RawForwarderOptions) => {
    const { parseForwarderConfig, runForwarder } = await import('../../forwarder/index.ts');
    await runForwarder(parseForwarderConfig(raw), { handleSignals: true });
  });
for (const option of forwarderOptions()) forwarderCommand.addOption(option);
