import { ReceiveMessageCommand, SendMessageBatchCommand, type Message } from '@aws-sdk/client-sqs';
import { buildHandler } from '../../../functions/lambda/index.ts';
import type { ColdStartOptions } from '../../../functions/lambda/index.ts';
import type { BatchStats } from '../../../functions/pipeline/index.ts';
import { validateBundle } from '../../../functions/bundle/index.ts';
import type { BundleInput } from '../../../functions/bundle/index.ts';
import { recordingLogger, type LogLine } from '../../helpers/recording-logger.ts';
import { EventSourceMapping, startLocalStateTable } from '../../../local/index.ts';
import type { BatchOutcome } from '../../../local/index.ts';
import { startSqsEmulator } from '../../../emulators/sqs/index.ts';
import { waitFor } from '../../helpers/wait-for.ts';
import type { SqsEmulator } from '../../../emulators/sqs/index.ts';
import { startWecomEmulator } from '../../../emulators/wecom/index.ts';
import type { RecordedMessage, WecomEmulator, WecomEmulatorOptions } from '../../../emulators/wecom/index.ts';

export type { LogLine };

// The function as Lambda runs it, on loopback: fauxqs queues (events + DLQ with a redrive policy), the local event
// source mapping, the handler from `buildHandler` with the test's bundle, and the WeCom emulator as every robot.

/** One log line from the handler or the WeCom client. */
/** One invocation as the handler saw it: each record's id, body and receive count, and what the mapping did. */
export interface Invocation {
  records: { messageId: string; body: string; receiveCount: number }[];
  outcome: BatchOutcome;
}

/** What a test varies. */
export interface RigOptions {
  bundle: BundleInput;
  /** Environment variable → robot key; the variable holds the emulator's webhook URL for that key. */
  robots: Record<string, string>;
  /** Set `KUBE_WECOM_DLQ_URL`, so dead letters go straight to the DLQ with their reason. */
  directDlq: boolean;
  /** The events queue's redrive policy (default 2). */
  maxReceiveCount?: number;
  /**
   * The events queue's visibility timeout; 2 s (the default) brings failures back quickly. It must outlast batch
   * assembly plus the handler, or a message reappears inside its own batch and its first receipt handle goes stale.
   */
  visibilityTimeoutSeconds?: number;
  emulator?: Omit<WecomEmulatorOptions, 'keys'>;
  /** The handler's clock (default `Date.now`). */
  clock?: () => number;
  /** Default: retries back off by milliseconds, not the production quarter second. */
  wecom?: ColdStartOptions['wecom'];
  /**
   * Passes the delay of each copy the function re-enqueues (a wait for a robot's budget) on the test's clock, and
   * sends the copy at once; default: the copy waits its delay in real time, as on SQS.
   */
  passDelay?: (ms: number) => void;
  /** More of the function's environment: the other channels' webhooks and secrets. */
  env?: NodeJS.ProcessEnv;
  /** More hosts (`host:port`) the function may send to besides the WeCom emulator: the other channels' emulators. */
  allowedHosts?: readonly string[];
}

/**
 * How the mapping batches. The default is one receive of up to 10 messages, no window: a window's long polls wait
 * in whole seconds, which would outlast the short visibility timeout the tests use.
 */
export interface MappingOptions {
  batchSize?: number;
  windowSeconds?: number;
  functionTimeoutSeconds?: number;
}

/** A running function with its queues and robots. */
export interface FunctionRig {
  sqs: SqsEmulator;
  wecom: WecomEmulator;
  queueUrl: string;
  dlqUrl: string;
  logs: LogLine[];
  stats: BatchStats[];
  invocations: Invocation[];
  /** Puts bodies on the events queue; returns their message ids in order. */
  send(bodies: readonly string[]): Promise<string[]>;
  /** Starts the event source mapping (the function starts consuming). */
  start(options?: MappingOptions): Promise<void>;
  /** Waits until the events queue holds nothing, visible or in flight, then stops the mapping. */
  drain(timeoutMs?: number): Promise<void>;
  /** Every message in the DLQ, with its message attributes. */
  deadLetters(): Promise<Message[]>;
  /** Content of every message a robot accepted, by environment variable name of its webhook. */
  delivered(robot: string): RecordedMessage[];
  stop(): Promise<void>;
}

let queueSerial = 0;

/** Starts fauxqs, the WeCom emulator and a queue pair, and builds the handler against them. */
export async function startRig(options: RigOptions): Promise<FunctionRig> {
  const sqs = await startSqsEmulator();
  const wecom = await startWecomEmulator({ ...options.emulator, keys: Object.values(options.robots) });
  const name = `events-${process.pid}-${++queueSerial}`;
  const dlq = sqs.createQueue(`${name}-dlq`);
  const queue = sqs.createQueue(name, {
    VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 2),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: dlq.arn,
      maxReceiveCount: options.maxReceiveCount ?? 2,
    }),
  });

  const state = await startLocalStateTable(`state-${process.pid}-${queueSerial}`);
  const env: NodeJS.ProcessEnv = {
    ...options.env,
    KUBE_WECOM_ALLOWED_WEBHOOK_HOSTS: [`127.0.0.1:${wecom.port}`, ...(options.allowedHosts ?? [])].join(','),
    KUBE_WECOM_STATE_TABLE: state.tableName,
    KUBE_WECOM_EVENTS_QUEUE_URL: queue.url,
  };
  for (const [variable, key] of Object.entries(options.robots)) env[variable] = wecom.webhookUrl(key);
  if (options.directDlq) env.KUBE_WECOM_DLQ_URL = dlq.url;

  const validated = validateBundle(options.bundle);
  if (!validated.bundle) throw new Error(`test bundle is invalid: ${JSON.stringify(validated.problems)}`);
  const logs: LogLine[] = [];
  const stats: BatchStats[] = [];
  const invocations: Invocation[] = [];
  const passDelay = options.passDelay;
  if (passDelay) {
    // Only the function sends with a delay, so the rig's own client can carry this.
    sqs.client.middlewareStack.add(
      (next) => async (args) => {
        for (const entry of (args.input as { Entries?: { DelaySeconds?: number }[] }).Entries ?? []) {
          if (!entry.DelaySeconds) continue;
          passDelay(entry.DelaySeconds * 1000);
          entry.DelaySeconds = 0;
        }
        return next(args);
      },
      { step: 'initialize', name: 'passCopyDelays' },
    );
  }
  const handler = buildHandler({
    bundle: validated.bundle,
    env,
    sqs: sqs.client,
    dynamodb: state.client(),
    logger: recordingLogger(logs),
    metrics: { publish: (batch) => void stats.push(structuredClone(batch)) },
    ...(options.clock ? { clock: options.clock } : {}),
    wecom: { backoff: { baseMs: 1, capMs: 5 }, ...options.wecom },
  });

  let mapping: EventSourceMapping | undefined;
  const rig: FunctionRig = {
    sqs,
    wecom,
    queueUrl: queue.url,
    dlqUrl: dlq.url,
    logs,
    stats,
    invocations,
    async send(bodies) {
      const ids: string[] = [];
      const sendChunk = async (start: number) => {
        const chunk = bodies.slice(start, start + 10);
        const result = await sqs.client.send(
          new SendMessageBatchCommand({
            QueueUrl: queue.url,
            Entries: chunk.map((body, i) => ({ Id: String(i), MessageBody: body })),
          }),
        );
        if ((result.Failed ?? []).length > 0)
          throw new Error(`send failed: ${JSON.stringify(result.Failed)}`);
        for (const entry of result.Successful ?? []) ids[start + Number(entry.Id)] = entry.MessageId!;
      };
      // A few batches in flight: a 10,000-event storm is 1,000 calls.
      const starts = Array.from({ length: Math.ceil(bodies.length / 10) }, (_, i) => i * 10);
      const workers = Array.from({ length: 4 }, async () => {
        for (let start = starts.shift(); start !== undefined; start = starts.shift()) await sendChunk(start);
      });
      await Promise.all(workers);
      return ids;
    },
    async start(mappingOptions = {}) {
      const current: { records: Invocation['records'] }[] = [];
      mapping = new EventSourceMapping({
        sqs: sqs.client,
        queueUrl: queue.url,
        batchSize: mappingOptions.batchSize ?? 10,
        maximumBatchingWindowSeconds: mappingOptions.windowSeconds ?? 0,
        functionTimeoutSeconds: mappingOptions.functionTimeoutSeconds ?? 30,
        idleWaitSeconds: 1,
        handler: (event, context, callback) => {
          current.push({
            records: event.Records.map((record) => ({
              messageId: record.messageId,
              body: record.body,
              receiveCount: Number(record.attributes.ApproximateReceiveCount),
            })),
          });
          return handler(event, context, callback);
        },
        onBatch: (outcome) => {
          const seen = current.shift()!;
          invocations.push({ records: seen.records, outcome });
        },
        onError: (error) => logs.push({ level: 'mapping-error', message: String(error), fields: {} }),
      });
      await mapping.start();
    },
    async drain(timeoutMs = 15_000) {
      await waitFor(
        'the events queue to drain',
        async () => {
          const depth = await sqs.depth(queue.url);
          return depth.visible === 0 && depth.inFlight === 0;
        },
        timeoutMs,
      );
      await mapping?.stop();
      mapping = undefined;
    },
    async deadLetters() {
      const found = new Map<string, Message>();
      for (;;) {
        const received = await sqs.client.send(
          new ReceiveMessageCommand({
            QueueUrl: dlq.url,
            MaxNumberOfMessages: 10,
            VisibilityTimeout: 60,
            WaitTimeSeconds: 0,
            MessageAttributeNames: ['All'],
          }),
        );
        const messages = received.Messages ?? [];
        if (messages.length === 0) return [...found.values()];
        for (const message of messages) found.set(message.MessageId!, message);
      }
    },
    delivered(robot) {
      return wecom.messages(options.robots[robot]);
    },
    async stop() {
      await mapping?.stop();
      await wecom.stop();
      await state.stop();
      await sqs.stop();
    },
  };
  return rig;
}

/** The text a robot shows for a message (markdown, markdown_v2 or text). */
export function contentOf(message: RecordedMessage): string {
  return String(message.payload.content ?? '');
}

/**
 * Where each offered event went: `delivered` if its (unique, fixed-width) name appears in a message a robot
 * accepted, `deadLettered` if its body is in the DLQ, else `elsewhere` (a test compares that with what its rules
 * suppress). An event counted twice is reported in `both`.
 */
export function account(
  offered: readonly { name: string; body: string }[],
  delivered: readonly RecordedMessage[],
  deadLetters: readonly Message[],
): { delivered: string[]; deadLettered: string[]; elsewhere: string[]; both: string[] } {
  const text = delivered.map(contentOf).join('\n');
  const dead = new Set(deadLetters.map((message) => message.Body));
  const out = {
    delivered: [] as string[],
    deadLettered: [] as string[],
    elsewhere: [] as string[],
    both: [] as string[],
  };
  for (const { name, body } of offered) {
    const isDelivered = text.includes(name);
    const isDead = dead.has(body);
    if (isDelivered && isDead) out.both.push(name);
    else if (isDelivered) out.delivered.push(name);
    else if (isDead) out.deadLettered.push(name);
    else out.elsewhere.push(name);
  }
  return out;
}

/** Sums a figure over every invocation. */
export function total(stats: readonly BatchStats[], figure: (batch: BatchStats) => number): number {
  return stats.reduce((sum, batch) => sum + figure(batch), 0);
}

/** The message attributes of a dead letter as plain strings. */
export function attributesOf(message: Message): Record<string, string> {
  return Object.fromEntries(
    Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue ?? '']),
  );
}
