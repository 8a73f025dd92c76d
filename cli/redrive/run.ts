import type { Writable } from 'node:stream';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SingleBar } from 'cli-progress';
import { redrive, type RedriveMethod } from './redrive.ts';

/** The `redrive` command's options as commander parses them. */
export interface RedriveCommandOptions {
  queueUrl: string;
  dlqUrl: string;
  region?: string;
  endpoint?: string;
  maxPerSecond?: number;
}

const METHOD_NAMES: Record<RedriveMethod, string> = {
  'move-task': 'SQS message move task',
  'receive-send-delete': 'receive/send/delete',
};

/** Runs a redrive with a progress bar on `stderr` and the final count on `stdout`; returns the exit code. */
export async function runRedrive(
  options: RedriveCommandOptions,
  stdout: Writable,
  stderr: Writable,
): Promise<number> {
  const sqs = new SQSClient({
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  });
  // cli-progress draws only on a TTY, so pipes and CI logs get just the final count on stdout.
  const bar = new SingleBar({
    stream: stderr,
    format: 'redrive [{bar}] {value}/{total} messages | {method}',
    hideCursor: false,
  });
  try {
    const result = await redrive({
      sqs,
      queueUrl: options.queueUrl,
      dlqUrl: options.dlqUrl,
      ...(options.maxPerSecond ? { maxMessagesPerSecond: options.maxPerSecond } : {}),
      onStart: (method, total) => bar.start(total, 0, { method: METHOD_NAMES[method] }),
      onProgress: ({ moved, total }) => {
        bar.setTotal(total);
        bar.update(moved);
      },
    });
    bar.stop();
    const failed = result.failed > 0 ? `; ${result.failed} could not be sent and stay in the DLQ` : '';
    stdout.write(
      `Moved ${result.moved} messages from ${options.dlqUrl} to ${options.queueUrl} (${METHOD_NAMES[result.method]})${failed}\n`,
    );
    return result.failed > 0 ? 1 : 0;
  } catch (error) {
    bar.stop();
    stderr.write(`redrive failed: ${(error as Error).message}\n`);
    return 1;
  } finally {
    sqs.destroy();
  }
}
