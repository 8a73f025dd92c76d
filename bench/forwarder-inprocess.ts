import { DEFAULT_SEND_CONCURRENCY } from '../forwarder/config/index.ts';
import { ForwarderMetrics } from '../forwarder/metrics/index.ts';
import { objectText } from '../forwarder/kube/index.ts';
import type { KubeApi, WatchEventType, WatchLineHandler, WireObject } from '../forwarder/kube/index.ts';
import type { Logger } from '../forwarder/index.ts';
import type { QueueClient } from '../forwarder/queue/index.ts';
import { Session } from '../forwarder/index.ts';
import { medianOf } from './measure.ts';

const WARM_UP_PASSES = 3;
const MEASURED_PASSES = 5;
/** Lines handed over per turn of the event loop, as a busy watch stream delivers them. */
const LINES_PER_TURN = 250;

/**
 * The forwarder's own work per event, without the network: a forwarding session whose watch is fed the lines
 * directly (each parsed as the watch stream parses it) and whose SQS answers every batch at once. What it
 * measures is the selector, the namespace enrichment, the envelope, the buffer and batching, settling, the
 * checkpoint watermark, the metrics, and the garbage all of that makes, plus the parse. A fresh session per
 * pass, so every line is news. Returns the median of five passes after three warm-up passes, in µs per event.
 */
export async function inProcessUsPerEvent(lines: string[]): Promise<number> {
  return medianOf(
    async () => (await forwardInProcess(lines)) / lines.length,
    MEASURED_PASSES,
    WARM_UP_PASSES,
  );
}

/** One session over all the lines; resolves with the CPU time it took, in µs. */
async function forwardInProcess(lines: string[]): Promise<number> {
  let onLine: WatchLineHandler | undefined;
  let sent = 0;
  const kube: KubeApi = {
    list: () => Promise.resolve({ items: [], resourceVersion: '1' }),
    watch: (resource, _params, handler, done) => {
      if (resource !== 'namespaces') onLine = handler;
      return Promise.resolve({ abort: () => done(undefined) });
    },
    readNamespace: (name) =>
      Promise.resolve({
        metadata: { name, labels: { team: name }, annotations: { 'kube-wecom/owners': 'wangqing' } },
      }),
    readConfigMap: () => Promise.resolve(undefined),
    createConfigMap: (_namespace, body) => Promise.resolve(body),
    replaceConfigMap: (_namespace, _name, body) => Promise.resolve(body),
    readLease: () => Promise.resolve(undefined),
    createLease: (_namespace, body) => Promise.resolve(body),
    replaceLease: (_namespace, _name, body) => Promise.resolve(body),
  };
  const queue: QueueClient = {
    probe: () => Promise.resolve(),
    sendBatch: (entries) => {
      sent += entries.length;
      return Promise.resolve({
        Successful: entries.map((e) => ({ Id: e.Id, MessageId: e.Id, MD5OfMessageBody: '' })),
        Failed: [],
      });
    },
  };
  const quiet = () => {};
  const logger: Logger = { debug: quiet, info: quiet, warn: quiet, error: quiet };
  const session = new Session({
    kube,
    queue,
    clock: { now: () => Date.now() },
    logger,
    metrics: new ForwarderMetrics(),
    clusterName: 'bench',
    api: 'core',
    types: [],
    namespaces: [],
    maxEventAgeMs: Number.MAX_SAFE_INTEGER,
    bufferMaxEvents: lines.length,
    bufferMaxBytes: Number.MAX_SAFE_INTEGER,
    lingerMs: 10,
    sendConcurrency: DEFAULT_SEND_CONCURRENCY,
    watchTimeoutSeconds: 300,
    watchBackoff: { initialMs: 100, maxMs: 1000 },
    sqsBackoff: { initialMs: 100, maxMs: 1000 },
  });
  await session.start();
  const before = process.cpuUsage();
  for (let at = 0; at < lines.length; at += LINES_PER_TURN) {
    for (const line of lines.slice(at, at + LINES_PER_TURN)) {
      const data = JSON.parse(line) as { type: WatchEventType; object: WireObject };
      onLine!(data.type, data.object, objectText(line, data));
    }
    await new Promise((r) => setImmediate(r));
  }
  while (sent < lines.length) await new Promise((r) => setTimeout(r, 1));
  const used = process.cpuUsage(before);
  await session.stop(false);
  return used.user + used.system;
}
