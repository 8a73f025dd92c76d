import { Writable } from 'node:stream';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { decodeEnvelope } from '../../../contracts/index.ts';
import type { EnvelopeV1 } from '../../../contracts/index.ts';
import {
  Forwarder,
  ForwarderMetrics,
  httpKubeApi,
  sqsQueueClient,
  systemClock,
} from '../../../forwarder/index.ts';
import type { ForwarderOptions, KubeApi } from '../../../forwarder/index.ts';
import { startFakeApiServer } from '../../../emulators/kube-apiserver/index.ts';
import type { FakeApiServer } from '../../../emulators/kube-apiserver/index.ts';
import { startSqsEmulator } from '../../../emulators/sqs/index.ts';
import type { SqsEmulator } from '../../../emulators/sqs/index.ts';
import { SwitchableRelay } from '../../harness/pipeline-rig/index.ts';

/** Log lines the forwarder wrote, parsed. */
export type LogLine = { level: number; msg: string; [field: string]: unknown };

/** The fake API server, fauxqs behind a relay, and helpers to build forwarders and read the queue. */
export interface TestEnv {
  fake: FakeApiServer;
  sqs: SqsEmulator;
  relay: SwitchableRelay;
  queueUrl: string;
  kube: KubeApi;
  logs: LogLine[];
  /** A forwarder wired to this environment with test-sized timings; `overrides` replace any option. */
  forwarder(overrides?: Partial<ForwarderOptions>): { forwarder: Forwarder; metrics: ForwarderMetrics };
  /** Receives and deletes everything currently on the queue. */
  drain(): Promise<EnvelopeV1[]>;
  /** Drains until `count` envelopes arrived in total (or times out), then checks a short while for extras. */
  collect(count: number, timeoutMs?: number): Promise<EnvelopeV1[]>;
  close(): Promise<void>;
}

export async function startTestEnv(): Promise<TestEnv> {
  const fake = await startFakeApiServer();
  const sqs = await startSqsEmulator();
  const { url: queueUrl } = sqs.createQueue('events');
  const relay = new SwitchableRelay(sqs.server.port);
  await relay.up();
  const kc = new KubeConfig();
  kc.loadFromString(fake.kubeconfig());
  const kube = httpKubeApi(kc, { watchInactivityMs: 30_000 });
  const reader = sqs.client;
  const senders: SQSClient[] = [];
  const running: Forwarder[] = [];
  const logs: LogLine[] = [];
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        logs.push(JSON.parse(chunk.toString()) as LogLine);
        done();
      },
    }),
  );

  const drain = async (): Promise<EnvelopeV1[]> => {
    const out: EnvelopeV1[] = [];
    for (;;) {
      const res = await reader.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      const messages = res.Messages ?? [];
      if (messages.length === 0) return out;
      out.push(...messages.map((m) => decodeEnvelope(m.Body ?? '')));
      await reader.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
  };

  return {
    fake,
    sqs,
    relay,
    queueUrl,
    kube,
    logs,
    forwarder(overrides = {}) {
      const client = new SQSClient({
        endpoint: `http://127.0.0.1:${relay.port}`,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
      });
      senders.push(client);
      const metrics = new ForwarderMetrics();
      const forwarder = new Forwarder({
        kube,
        queue: sqsQueueClient(client, queueUrl),
        clock: systemClock,
        logger,
        metrics,
        clusterName: 'test-cluster',
        api: 'core',
        types: [],
        namespaces: [],
        maxEventAgeMs: 5 * 60_000,
        checkpoint: { namespace: 'kube-wecom', name: 'checkpoint', intervalMs: 100 },
        bufferMaxEvents: 1000,
        bufferMaxBytes: 64 * 1024 * 1024,
        lingerMs: 20,
        sendConcurrency: 2,
        watchTimeoutSeconds: 60,
        graceMs: 5000,
        watchBackoff: { initialMs: 20, maxMs: 200 },
        sqsBackoff: { initialMs: 20, maxMs: 200 },
        ...overrides,
      });
      running.push(forwarder);
      return { forwarder, metrics };
    },
    drain,
    async collect(count, timeoutMs = 10_000) {
      const out: EnvelopeV1[] = [];
      const deadline = Date.now() + timeoutMs;
      while (out.length < count && Date.now() < deadline) {
        out.push(...(await drain()));
        if (out.length < count) await delay(50);
      }
      // Anything beyond the expected count would be a duplicate: give it a moment to show up.
      await delay(200);
      out.push(...(await drain()));
      return out;
    },
    async close() {
      await Promise.all(running.map((f) => f.stop()));
      for (const c of senders) c.destroy();
      await relay.down();
      await sqs.stop();
      await fake.close();
    },
  };
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The value of a metric (summed over labels matching `labels`). */
export async function metricValue(
  metrics: ForwarderMetrics,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))
    .reduce((sum, v) => sum + v.value, 0);
}

/** `name` of each envelope's event, for compact assertions. */
export function names(envelopes: EnvelopeV1[]): string[] {
  return envelopes.map((e) => e.event.metadata?.name ?? '?').sort();
}
