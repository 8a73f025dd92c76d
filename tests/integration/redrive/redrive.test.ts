import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ReceiveMessageCommand, SendMessageBatchCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { MoveTaskFailedError, redrive, type RedriveProgress } from '../../../cli/redrive/index.ts';
import { startSqsEmulator, type SqsEmulator } from '../../../emulators/sqs/index.ts';

const root = new URL('../../../', import.meta.url).pathname;
let sqs: SqsEmulator;
let counter = 0;

before(async () => {
  sqs = await startSqsEmulator();
});
after(async () => {
  await sqs.stop();
});

function createQueues() {
  const name = `redrive-${++counter}`;
  return { queue: sqs.createQueue(name), dlq: sqs.createQueue(`${name}-dlq`) };
}

async function fill(queueUrl: string, count: number) {
  for (let start = 0; start < count; start += 10) {
    const ids = Array.from({ length: Math.min(10, count - start) }, (_, i) => start + i);
    await sqs.client.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: ids.map((n) => ({
          Id: `m${n}`,
          MessageBody: JSON.stringify({ n }),
          MessageAttributes: {
            reason: { DataType: 'String', StringValue: `poison ${n}` },
            attempts: { DataType: 'Number', StringValue: String(n % 5) },
            digest: { DataType: 'Binary', BinaryValue: Buffer.from([n, 255 - n]) },
          },
        })),
      }),
    );
  }
}

async function drain(queueUrl: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return all;
    all.push(...Messages);
  }
}

describe('redrive', () => {
  it('moves every DLQ message back with its body and message attributes when the move task is unavailable', async () => {
    const { queue, dlq } = createQueues();
    await fill(dlq.url, 25);
    const progress: RedriveProgress[] = [];

    const result = await redrive({
      sqs: sqs.client,
      queueUrl: queue.url,
      dlqUrl: dlq.url,
      onProgress: (p) => progress.push(p),
    });

    assert.deepEqual(result, { method: 'receive-send-delete', moved: 25, failed: 0, total: 25 });
    assert.equal(progress.at(-1)?.moved, 25);
    assert.ok(progress.every((p, i) => i === 0 || p.moved >= progress[i - 1]!.moved));
    assert.deepEqual(await sqs.depth(dlq.url), { visible: 0, inFlight: 0 });
    const back = (await drain(queue.url)).sort((a, b) => JSON.parse(a.Body!).n - JSON.parse(b.Body!).n);
    assert.equal(back.length, 25);
    back.forEach((message, n) => {
      assert.equal(message.Body, JSON.stringify({ n }));
      assert.equal(message.MessageAttributes?.reason?.StringValue, `poison ${n}`);
      assert.equal(message.MessageAttributes?.attempts?.DataType, 'Number');
      assert.equal(message.MessageAttributes?.attempts?.StringValue, String(n % 5));
      assert.deepEqual([...(message.MessageAttributes?.digest?.BinaryValue ?? [])], [n, 255 - n]);
    });
  });

  it('reports an empty DLQ as nothing moved', async () => {
    const { queue, dlq } = createQueues();
    const result = await redrive({ sqs: sqs.client, queueUrl: queue.url, dlqUrl: dlq.url });
    assert.deepEqual(result, { method: 'receive-send-delete', moved: 0, failed: 0, total: 0 });
  });

  it('leaves the DLQ untouched when the events queue does not exist', async () => {
    const { dlq } = createQueues();
    await fill(dlq.url, 3);
    await assert.rejects(
      redrive({ sqs: sqs.client, queueUrl: dlq.url.replace(/-dlq$/, '-missing'), dlqUrl: dlq.url }),
      (error: Error) => error.name.endsWith('QueueDoesNotExist') || error.name.endsWith('NonExistentQueue'),
    );
    assert.deepEqual(await sqs.depth(dlq.url), { visible: 3, inFlight: 0 });
  });

  it('prints the final count from the CLI', async () => {
    const { queue, dlq } = createQueues();
    await fill(dlq.url, 12);
    const { code, stdout, stderr } = await runCli([
      'redrive',
      '--queue-url',
      queue.url,
      '--dlq-url',
      dlq.url,
      '--region',
      'us-east-1',
      '--endpoint',
      sqs.endpoint,
    ]);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, `Moved 12 messages from ${dlq.url} to ${queue.url} (receive/send/delete)\n`);
    assert.equal((await drain(queue.url)).length, 12);
  });
});

describe('redrive with an SQS that implements message move tasks', () => {
  it('starts a move task from the DLQ to the queue and follows it to completion', async () => {
    const fake = await startMoveTaskSqs(['RUNNING', 'RUNNING', 'COMPLETED']);
    try {
      const progress: number[] = [];
      const result = await redrive({
        sqs: fake.client,
        queueUrl: fake.queueUrl,
        dlqUrl: fake.dlqUrl,
        maxMessagesPerSecond: 50,
        pollIntervalMs: 1,
        onProgress: (p) => progress.push(p.moved),
      });
      assert.deepEqual(result, { method: 'move-task', moved: 40, failed: 0, total: 40 });
      assert.deepEqual(progress, [10, 20, 40]);
      assert.deepEqual(fake.started, [
        { SourceArn: fake.dlqArn, DestinationArn: fake.queueArn, MaxNumberOfMessagesPerSecond: 50 },
      ]);
    } finally {
      await fake.stop();
    }
  });

  it('fails with the reason SQS gives when the move task fails', async () => {
    const fake = await startMoveTaskSqs(['RUNNING', 'FAILED']);
    try {
      await assert.rejects(
        redrive({ sqs: fake.client, queueUrl: fake.queueUrl, dlqUrl: fake.dlqUrl, pollIntervalMs: 1 }),
        (error: unknown) =>
          error instanceof MoveTaskFailedError &&
          error.reason === 'AccessDenied on destination' &&
          error.moved === 20,
      );
    } finally {
      await fake.stop();
    }
  });
});

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${root}bin/kube-wecom.mjs`, ...args], {
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * fauxqs does not implement message move tasks, so this speaks just enough of the SQS JSON protocol to play the
 * real service: GetQueueAttributes, StartMessageMoveTask, and ListMessageMoveTasks walking through `statuses`
 * (10 more messages moved per poll, 40 to move).
 */
async function startMoveTaskSqs(statuses: string[]) {
  const account = 'arn:aws:sqs:us-east-1:123456789012';
  const started: unknown[] = [];
  let polls = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk));
    req.on('end', () => {
      const input = JSON.parse(body) as { QueueUrl?: string };
      const action = String(req.headers['x-amz-target']).replace('AmazonSQS.', '');
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify(payload));
      };
      if (action === 'GetQueueAttributes') {
        const name = input.QueueUrl!.split('/').at(-1);
        return reply(200, {
          Attributes: { QueueArn: `${account}:${name}`, ApproximateNumberOfMessages: '40' },
        });
      }
      if (action === 'StartMessageMoveTask') {
        started.push(input);
        return reply(200, { TaskHandle: 'task-1' });
      }
      if (action === 'ListMessageMoveTasks') {
        const status = statuses[Math.min(polls, statuses.length - 1)]!;
        polls += 1;
        const moved = status === 'COMPLETED' ? 40 : polls * 10;
        return reply(200, {
          Results: [
            {
              TaskHandle: 'task-1',
              Status: status,
              ApproximateNumberOfMessagesMoved: moved,
              ApproximateNumberOfMessagesToMove: 40,
              ...(status === 'FAILED' ? { FailureReason: 'AccessDenied on destination' } : {}),
            },
          ],
        });
      }
      return reply(400, { __type: 'com.amazonaws.sqs#InvalidAction', message: `Unknown action: ${action}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  return {
    client,
    started,
    queueUrl: `${endpoint}/123456789012/events`,
    dlqUrl: `${endpoint}/123456789012/events-dlq`,
    queueArn: `${account}:events`,
    dlqArn: `${account}:events-dlq`,
    stop: async () => {
      client.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
