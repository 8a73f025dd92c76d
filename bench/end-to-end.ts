import { buildHandler } from '../functions/lambda/index.ts';
import { validateBundle } from '../functions/bundle/index.ts';
import type { BundleInput } from '../functions/bundle/index.ts';
import { ALLOWED_HOSTS_ENV } from '../functions/channels/wecom/index.ts';
import { EventSourceMapping } from '../local/index.ts';
import { startFakeApiServer } from '../emulators/kube-apiserver/index.ts';
import { startWecomEmulator } from '../emulators/wecom/index.ts';
import { startSqsEmulator } from '../emulators/sqs/index.ts';
import { ForwarderProcess, buildForwarderBundle } from './forwarder-process.ts';
import type { BenchResult } from './measure.ts';

/** Robots the probes are spread over: each robot takes 20 messages a minute, so 20 robots take 6 probes a second. */
const ROBOTS = 20;
const PROBES_PER_SECOND = 4;
const SILENT = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * End to end on loopback: an Event created in the fake API server → the forwarder (its own process, the
 * container bundle, 10 ms linger) → fauxqs → the local event source mapping (batching window 0) → the handler
 * from `buildHandler` → the WeCom emulator recording the message. Probes are spaced so no robot reaches its
 * 20-per-minute budget: the figure is the pipeline's latency, not the robots' rate limit.
 */
export async function benchEndToEnd(opts: { quick: boolean }): Promise<BenchResult[]> {
  const probes = opts.quick ? 40 : 240;
  const bundleFile = buildForwarderBundle();
  const fake = await startFakeApiServer();
  const sqs = await startSqsEmulator();
  const emulator = await startWecomEmulator({ acceptAnyKey: true });
  const { endpoint, client } = sqs;
  const queueUrl = sqs.createQueue('e2e-events').url;
  let forwarder: ForwarderProcess | undefined;
  let mapping: EventSourceMapping | undefined;
  try {
    const env: Record<string, string> = { [ALLOWED_HOSTS_ENV]: `127.0.0.1:${emulator.port}` };
    const input: BundleInput = { version: 1, receivers: {}, routes: [] };
    for (let r = 0; r < ROBOTS; r++) {
      fake.upsertNamespace(`e2e-${r}`, { team: `t${r}` });
      env[`E2E_ROBOT_${r}`] = emulator.webhookUrl(`robot-${r}`);
      input.receivers[`robot-${r}`] = { webhook: `env:E2E_ROBOT_${r}`, msgtype: 'text' };
      input.routes.push({
        name: `ns-${r}`,
        match: { namespaces: [`e2e-${r}`] },
        receivers: [`robot-${r}`],
        repeat: 'always',
      });
    }
    const { bundle, problems } = validateBundle(input);
    if (!bundle) throw new Error(`e2e bundle is invalid: ${JSON.stringify(problems)}`);
    mapping = new EventSourceMapping({
      sqs: client,
      queueUrl,
      handler: buildHandler({ bundle, env, sqs: client, logger: SILENT, metrics: { publish() {} } }),
      batchSize: 10,
      maximumBatchingWindowSeconds: 0,
      maximumConcurrency: 2,
      idleWaitSeconds: 20,
    });
    await mapping.start();
    forwarder = await ForwarderProcess.start({
      bundle: bundleFile,
      kubeconfig: fake.kubeconfig(),
      queueUrl,
      sqsEndpoint: endpoint,
      args: ['--linger', '10ms'],
    });

    const created = new Map<number, number>();
    const latencies: number[] = [];
    let allArrived: () => void = () => {};
    const arrived = new Promise<void>((resolve) => (allArrived = resolve));
    const stop = emulator.onMessage((message) => {
      const probe = /e2e probe (\d+)/.exec(JSON.stringify(message.payload))?.[1];
      const at = created.get(Number(probe));
      if (at === undefined) return;
      created.delete(Number(probe));
      latencies.push(performance.now() - at);
      if (latencies.length === probes) allArrived();
    });
    for (let i = 0; i < probes; i++) {
      created.set(i, performance.now());
      fake.createEvent({
        namespace: `e2e-${i % ROBOTS}`,
        name: `probe-${i}`,
        type: 'Warning',
        reason: 'BackOff',
        message: `e2e probe ${i}: Back-off restarting failed container`,
        involvedObject: { kind: 'Pod', namespace: `e2e-${i % ROBOTS}`, name: `web-${i}`, apiVersion: 'v1' },
      });
      await new Promise((r) => setTimeout(r, 1000 / PROBES_PER_SECOND));
    }
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 30_000).unref());
    await Promise.race([arrived, timeout]);
    stop();
    if (latencies.length < probes)
      process.stderr.write(`end-to-end: ${probes - latencies.length} of ${probes} probes never arrived\n`);
    latencies.sort((a, b) => a - b);
    const pct = (p: number) =>
      latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)]!;
    const round = (n: number) => Math.round(n * 10) / 10;
    return [
      {
        case: `end to end: fake API server → forwarder → fauxqs → function → emulator, p50 (${latencies.length} probes)`,
        value: round(pct(0.5)),
        unit: 'ms',
        target: '≤ 500',
      },
      { case: 'end to end: p99', value: round(pct(0.99)), unit: 'ms', target: '≤ 2000' },
      {
        case: 'end to end: probes lost',
        value: probes - latencies.length,
        unit: 'events',
        target: '0',
      },
    ];
  } finally {
    await forwarder?.stop();
    await mapping?.stop();
    await emulator.stop();
    await sqs.stop();
    await fake.close();
    bundleFile.remove();
  }
}
