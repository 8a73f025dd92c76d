import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs, type FauxqsServer } from 'fauxqs';

/** A fauxqs@1.9.2 server in this process and an SDK client pointed at it through loopback. */
export interface SqsEmulator {
  server: FauxqsServer;
  /** `http://127.0.0.1:<port>`; always pass it as `endpoint`, fauxqs' queue URL hosts do not resolve in Node. */
  endpoint: string;
  client: SQSClient;
  /** Creates a queue; attribute values as SQS spells them (`RedrivePolicy` as a JSON string). */
  createQueue(name: string, attributes?: Record<string, string>): { url: string; arn: string };
  /** Visible + in-flight + delayed messages, as SQS counts them. */
  depth(queueUrl: string): Promise<{ visible: number; inFlight: number }>;
  stop(): Promise<void>;
}

/** Starts fauxqs on a free port; stop it in `after`. */
export async function startSqsEmulator(): Promise<SqsEmulator> {
  const server = await startFauxqs({ port: 0, logger: false });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const client = new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return {
    server,
    endpoint,
    client,
    createQueue(name, attributes = {}) {
      const queue = server.createQueue(name, { attributes });
      return { url: queue.queueUrl, arn: queue.queueArn };
    },
    async depth(queueUrl) {
      const { Attributes: a = {} } = await client.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return {
        visible: Number(a.ApproximateNumberOfMessages),
        inFlight: Number(a.ApproximateNumberOfMessagesNotVisible),
      };
    },
    async stop() {
      client.destroy();
      await server.stop();
    },
  };
}

/** Polls `condition` every 20 ms until it holds; fails after `timeoutMs` with `what` in the message. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
