import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs, type FauxqsServer } from 'fauxqs';

/**
 * SQS for `npm start`, the benches and the tests: a fauxqs@1.9.2 server in this process and an SDK client pointed at
 * it through loopback.
 */
export interface SqsEmulator {
  server: FauxqsServer;
  /** `http://127.0.0.1:<port>`; always pass it as `endpoint`, fauxqs' queue URL hosts do not resolve in Node. */
  endpoint: string;
  client: SQSClient;
  /** Creates a queue; attribute values as SQS spells them (`RedrivePolicy` as a JSON string). */
  createQueue(name: string, attributes?: Record<string, string>): { url: string; arn: string };
  /** Messages in a queue: visible, and received but not yet deleted. */
  depth(queueUrl: string): Promise<{ visible: number; inFlight: number }>;
  stop(): Promise<void>;
}

/**
 * Starts fauxqs on a free port of 127.0.0.1 (nothing of it is reachable from outside the machine); stop it when
 * done.
 */
export async function startSqsEmulator(): Promise<SqsEmulator> {
  const server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const client = new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
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
        visible: Number(a.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
      };
    },
    async stop() {
      client.destroy();
      await server.stop();
    },
  };
}
