import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';

/** The events queue and its DLQ on an in-process fauxqs, with a client pointed at it. */
export interface LocalQueues {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  client: SQSClient;
  queueUrl: string;
  dlqUrl: string;
  /** The events queue's redrive limit, which the function is told so it dead-letters a last receive itself. */
  maxReceiveCount: number;
  /** Messages in a queue: visible, and received but not yet deleted. */
  depth(queueUrl: string): Promise<{ visible: number; inFlight: number }>;
  stop(): Promise<void>;
}

/** Lambda's advice: at least the function timeout plus the batching window, so a batch never reappears mid-run. */
const VISIBILITY_TIMEOUT_SECONDS = 45;
/** Deliveries before SQS moves a message to the DLQ, as the deployed queue is set up (serverless.yml). */
const MAX_RECEIVE_COUNT = 5;

/**
 * Starts fauxqs@1.9.2 on 127.0.0.1 and creates the queue pair the deployment has: events queue with a redrive
 * policy to the DLQ. `startFauxqs` always listens on 0.0.0.0, so the app is built and bound here instead: nothing
 * of `npm start` is reachable from outside the machine.
 */
export async function startLocalQueues(): Promise<LocalQueues> {
  const app = buildApp({ logger: false });
  const endpoint = await app.listen({ port: 0, host: '127.0.0.1' });
  // fauxqs' queue URLs name an unresolvable host (sqs.<region>.localhost), so the endpoint is always explicit.
  const client = new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const dlq = await client.send(new CreateQueueCommand({ QueueName: 'kube-wecom-local-events-dlq' }));
    const dlqArn = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const queue = await client.send(
      new CreateQueueCommand({
        QueueName: 'kube-wecom-local-events',
        Attributes: {
          VisibilityTimeout: String(VISIBILITY_TIMEOUT_SECONDS),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlqArn.Attributes!.QueueArn,
            maxReceiveCount: MAX_RECEIVE_COUNT,
          }),
        },
      }),
    );
    return {
      endpoint,
      client,
      queueUrl: queue.QueueUrl!,
      dlqUrl: dlq.QueueUrl!,
      maxReceiveCount: MAX_RECEIVE_COUNT,
      async depth(queueUrl) {
        const { Attributes: a = {} } = await client.send(
          new GetQueueAttributesCommand({
            QueueUrl: queueUrl,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
          }),
        );
        return {
          visible: Number(a.ApproximateNumberOfMessages ?? 0),
          inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
        };
      },
      async stop() {
        client.destroy();
        await app.close();
      },
    };
  } catch (err) {
    client.destroy();
    await app.close();
    throw err;
  }
}
