import { startSqsEmulator, type SqsEmulator } from '../../emulators/sqs/index.ts';

/** The events queue and its DLQ on the in-process SQS emulator. */
export interface LocalQueues extends Pick<SqsEmulator, 'endpoint' | 'client' | 'depth' | 'stop'> {
  queueUrl: string;
  dlqUrl: string;
  /** The events queue's redrive limit, which the function is told so it dead-letters a last receive itself. */
  maxReceiveCount: number;
}

/** Lambda's advice: at least the function timeout plus the batching window, so a batch never reappears mid-run. */
const VISIBILITY_TIMEOUT_SECONDS = 45;
/** Deliveries before SQS moves a message to the DLQ, as the deployed queue is set up (serverless.yml). */
const MAX_RECEIVE_COUNT = 5;

/** Starts the SQS emulator and creates the queue pair the deployment has: events queue with a redrive policy to the DLQ. */
export async function startLocalQueues(): Promise<LocalQueues> {
  const sqs = await startSqsEmulator();
  try {
    const dlq = sqs.createQueue('kube-wecom-local-events-dlq');
    const queue = sqs.createQueue('kube-wecom-local-events', {
      VisibilityTimeout: String(VISIBILITY_TIMEOUT_SECONDS),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: MAX_RECEIVE_COUNT }),
    });
    return {
      endpoint: sqs.endpoint,
      client: sqs.client,
      depth: (queueUrl) => sqs.depth(queueUrl),
      stop: () => sqs.stop(),
      queueUrl: queue.url,
      dlqUrl: dlq.url,
      maxReceiveCount: MAX_RECEIVE_COUNT,
    };
  } catch (err) {
    await sqs.stop();
    throw err;
  }
}
