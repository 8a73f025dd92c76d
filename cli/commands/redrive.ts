import { Command, InvalidArgumentError } from 'commander';
import { noteNodeVersionForAws } from '../aws-sdk-node-notice.ts';

/** `kube-wecom redrive`: after a fix, move what the function gave up on back to the events queue. */
export const redriveCommand = new Command('redrive')
  .description(
    'Move every message of the DLQ back to the events queue (SQS StartMessageMoveTask; receive/send/delete where ' +
      'the SQS endpoint lacks it), with a progress bar and a final count. Exit 1 if any message stayed behind.',
  )
  .requiredOption('--queue-url <url>', 'the events queue (stack output EventsQueueUrl)')
  .requiredOption('--dlq-url <url>', 'the dead-letter queue (stack output EventsDLQUrl)')
  .option('--region <region>', 'AWS region (default: from the environment / profile)')
  .option('--endpoint <url>', 'SQS endpoint, e.g. an emulator such as http://127.0.0.1:4566')
  .option('--max-per-second <n>', 'throttle the move task (messages per second, 1–500)', (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 500)
      throw new InvalidArgumentError('expected an integer from 1 to 500');
    return n;
  })
  .addHelpText(
    'after',
    '\nExample:\n  npx kube-wecom redrive --region ap-southeast-1 \\\n' +
      '    --queue-url https://sqs.ap-southeast-1.amazonaws.com/123456789012/kube-wecom-prod-events \\\n' +
      '    --dlq-url https://sqs.ap-southeast-1.amazonaws.com/123456789012/kube-wecom-prod-events-dlq',
  )
  .action(
    async (options: {
      queueUrl: string;
      dlqUrl: string;
      region?: string;
      endpoint?: string;
      maxPerSecond?: number;
    }) => {
      noteNodeVersionForAws(process.stderr);
      const { runRedrive } = await import('../redrive/index.ts');
      process.exitCode = await runRedrive(options, process.stdout, process.stderr);
    },
  );
