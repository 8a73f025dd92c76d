import { Command } from 'commander';
import { noteNodeVersionForAws } from '../aws-sdk-node-notice.ts';
import { forwarderOptions } from '../../forwarder/config/index.ts';
import type { RawForwarderOptions } from '../../forwarder/config/index.ts';

/** `kube-wecom forwarder`: the in-cluster process; its flags mirror environment variables (see docs/forwarder.md). */
export const forwarderCommand = new Command('forwarder')
  .description('Watch Kubernetes Events and forward them to SQS as envelope v1 (the in-cluster process)')
  .addHelpText(
    'after',
    '\nEvery flag can also be set by the environment variable shown. See docs/forwarder.md.\n\n' +
      'Example, from a laptop (in the cluster, the Deployment of infra/k8s sets the same as environment variables):\n' +
      '  npx kube-wecom forwarder --kubeconfig ~/.kube/config --cluster-name staging --types Warning \\\n' +
      '    --queue-url https://sqs.ap-southeast-1.amazonaws.com/123456789012/kube-wecom-staging-events',
  )
  .action(async (raw: RawForwarderOptions) => {
    const { parseForwarderConfig, runForwarder } = await import('../../forwarder/index.ts');
    const config = parseForwarderConfig(raw);
    // After the flags are checked: a flag error deserves the screen to itself.
    noteNodeVersionForAws(process.stderr);
    await runForwarder(config, { handleSignals: true });
  });
for (const option of forwarderOptions()) forwarderCommand.addOption(option);
