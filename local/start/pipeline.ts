import { readFile } from 'node:fs/promises';
import { KubeConfig } from '@kubernetes/client-node';
import type { SQSHandler } from 'aws-lambda';
import { pino } from 'pino';
import { readEventInput } from '../../inputs/index.ts';
import { buildHandler } from '../../functions/lambda/index.ts';
import type { Bundle } from '../../functions/bundle/index.ts';
import { ALLOWED_HOSTS_ENV } from '../../functions/channels/wecom/index.ts';
import { ForwarderMetrics } from '../../forwarder/index.ts';
import { EventSourceMapping } from '../event-source-mapping.ts';
import { inProcessForwarder } from '../in-process-forwarder.ts';
import { INCIDENT } from '../incident/index.ts';
import { mountPreviewPage, receiverIndex, toPreviewMessage } from '../preview-page/index.ts';
import type { LocalStats, PreviewRobot } from '../preview-page/index.ts';
import { startFakeApiServer } from '../../emulators/kube-apiserver/index.ts';
import type { FakeApiServer } from '../../emulators/kube-apiserver/index.ts';
import { startWecomEmulator } from '../../emulators/wecom/index.ts';
import { LiveLog } from './live-log.ts';
import { startLocalQueues } from './queues.ts';
import { startLocalStateTable } from './state-table.ts';
import { replayEvents, replayIncident } from './replay.ts';
import { routeToEmulator } from './robots.ts';
import { ChannelFeed, startChannelRobots } from './channel-robots.ts';
import type { EventSource } from './source.ts';
import { StatsFeed, forwarderFigures } from './stats-feed.ts';
import type { ForwarderFigures } from './stats-feed.ts';

/** What `startLocalPipeline` runs. */
export interface LocalPipelineOptions {
  /** The validated rules bundle (see `loadCheckedBundle`). */
  bundle: Bundle;
  source: EventSource;
  /** Port of the preview page and WeCom emulator on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** `emulator` (default): every receiver posts to the local emulator. `real`: the bundle's own webhooks. */
  deliver?: 'emulator' | 'real';
  /** Replay time compression (default 1). */
  speed?: number;
  /** Where `--deliver real` reads `env:` webhook references and allowed hosts (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Receives the live log, one line per call (default: nothing). */
  log?: (line: string) => void;
  /** Cluster name put in every envelope (default `demo-sh` for replays, the kubeconfig's cluster otherwise). */
  clusterName?: string;
  /** Event source mapping settings; the defaults let digests form without making the page wait. */
  batchSize?: number;
  batchingWindowSeconds?: number;
}

/** One line of the start-up summary: a stage and what runs there. */
export interface Stage {
  name: string;
  detail: string;
}

/** A running local pipeline. */
export interface LocalPipeline {
  /** The preview page, `http://127.0.0.1:<port>/`. */
  url: string;
  /** The fake API server's URL when replaying (kubectl can watch it too); undefined for a real cluster. */
  apiServer: string | undefined;
  /** What runs where, in flow order: source, forwarder, queue, function, wecom. */
  stages: Stage[];
  /** The figures the page shows. */
  stats(): LocalStats;
  /** Resolves when a replay has written its last Event; never for a real cluster. */
  replayed: Promise<void>;
  /** Resolves once the replay is done and every Event has gone through the forwarder, the queue and the function. */
  drained(): Promise<void>;
  /** Stops everything, in reverse order of start; the forwarder flushes and checkpoints first. */
  stop(): Promise<void>;
}

const POLL_MS = 500;
/** Events a first start lists from a real cluster: the last few minutes, so the page fills at once. */
const RECENT_EVENTS = '10m';

/**
 * Starts the whole pipeline in this process, everything on 127.0.0.1: fauxqs (events queue + DLQ), the WeCom
 * emulator with the preview page, the function (`buildHandler`) behind the local event source mapping, an Event
 * source (a real cluster, or the fake API server replaying the incident or a file) and the forwarder watching it.
 */
export async function startLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipeline> {
  const deliver = options.deliver ?? 'emulator';
  const speed = options.speed ?? 1;
  const log = new LiveLog(options.log ?? (() => undefined));
  const feed = new StatsFeed(log, deliver === 'real');
  const stages: Stage[] = [];
  const closers: Array<() => Promise<void> | void> = [];
  const stopAll = async () => {
    for (const close of closers.splice(0).reverse()) await close();
  };

  try {
    const queues = await startLocalQueues();
    closers.push(() => queues.stop());
    const metrics = new ForwarderMetrics();
    let figures: ForwarderFigures = { watched: 0, received: 0, forwarded: 0, buffered: 0 };
    const poll = async () => {
      figures = await forwarderFigures(metrics);
      const dlq = await queues.depth(queues.dlqUrl);
      feed.update(figures, dlq.visible + dlq.inFlight);
    };
    // Runs after everything upstream of the queues has stopped, so the final figures include the forwarder's flush.
    closers.push(() => poll().catch(() => undefined));
    stages.push({
      name: 'queue',
      detail: `fauxqs ${queues.endpoint}: events queue + DLQ (redrive after 5 receives)`,
    });

    const emulator = await startWecomEmulator({ acceptAnyKey: true, port: options.port });
    closers.push(() => emulator.stop());
    let robots: PreviewRobot[] = [];
    let bundle = options.bundle;
    let env: NodeJS.ProcessEnv;
    const messages = new ChannelFeed(emulator);
    closers.push(() => messages.close());
    if (deliver === 'emulator') {
      const emulated = routeToEmulator(options.bundle, (key) => emulator.webhookUrl(key));
      const channels = await startChannelRobots(emulated.bundle);
      closers.push(() => channels.stop());
      ({ bundle } = channels);
      ({ robots } = emulated);
      env = {
        ...emulated.env,
        ...channels.env,
        [ALLOWED_HOSTS_ENV]: [`127.0.0.1:${emulator.port}`, ...channels.hosts].join(','),
      };
      const byKey = receiverIndex(robots);
      const stopListening = messages.onMessage((message) => {
        const preview = toPreviewMessage(message, 0, byKey);
        const receiver = preview.receiver ?? `robot …${preview.robot}`;
        feed.board.countMessage(receiver, message.receivedAt);
        log.message(receiver, preview.msgtype, preview.bytes, preview.content);
      });
      closers.push(stopListening);
    } else {
      env = { ...(options.env ?? process.env) };
    }
    const page = mountPreviewPage(emulator, {
      stats: () => feed.board.snapshot(),
      statsChanges: (listener) => feed.board.onChange(listener),
      robots: () => robots,
      timeZone: bundle.timezone,
      feed: messages,
    });
    closers.push(() => page.close());
    const receivers = Object.keys(bundle.receivers).length;
    stages.push({
      name: 'wecom',
      detail:
        deliver === 'emulator'
          ? `emulator ${emulator.url}/cgi-bin/webhook/send: one robot per receiver (${receivers})`
          : `REAL WeCom robots: the bundle's ${receivers} webhooks, keys from the environment`,
    });

    const state = await startLocalStateTable();
    closers.push(() => state.stop());
    stages.push({
      name: 'state',
      detail: `dynalite ${state.endpoint}: table ${state.tableName} (robot budgets shared by invocations, parked events)`,
    });
    const handler = buildHandler({
      bundle,
      env: {
        ...env,
        KUBE_WECOM_DLQ_URL: queues.dlqUrl,
        KUBE_WECOM_MAX_RECEIVE_COUNT: String(queues.maxReceiveCount),
        KUBE_WECOM_STATE_TABLE: state.tableName,
        KUBE_WECOM_EVENTS_QUEUE_URL: queues.queueUrl,
      },
      sqs: queues.client,
      dynamodb: state.client(),
      observer: (result) => messages.record(result),
      logger: feed.functionLogger(log.handlerLogger()),
      metrics: feed.batchMetrics(),
    });
    let invoking = 0;
    const counted: SQSHandler = async (event, context, callback) => {
      invoking++;
      try {
        return await handler(event, context, callback);
      } finally {
        invoking--;
      }
    };
    const batchSize = options.batchSize ?? 100;
    const window = options.batchingWindowSeconds ?? 2;
    const mapping = new EventSourceMapping({
      sqs: queues.client,
      queueUrl: queues.queueUrl,
      handler: counted,
      batchSize,
      maximumBatchingWindowSeconds: window,
      functionTimeoutSeconds: 30,
      idleWaitSeconds: 2,
      onError: (error) => log.line(`function   event source mapping: ${String(error)}`),
    });
    await mapping.start();
    closers.push(() => mapping.stop());
    stages.push({
      name: 'function',
      detail: `event source mapping (batch ${batchSize}, window ${window} s) → handler from buildHandler`,
    });

    let fake: FakeApiServer | undefined;
    const kc = new KubeConfig();
    if (options.source.kind === 'cluster') {
      kc.loadFromFile(options.source.kubeconfig);
    } else {
      fake = await startFakeApiServer({ bookmarkIntervalMs: 5000 });
      closers.push(() => fake!.close());
      kc.loadFromString(fake.kubeconfig());
    }
    const clusterName = options.clusterName ?? (fake ? 'demo-sh' : (kc.getCurrentCluster()?.name ?? 'local'));
    stages.push({
      name: 'source',
      detail: describeSource(options.source, fake, speed),
    });

    // The deployed forwarder's defaults, but a real cluster is only read: no checkpoint ConfigMap, no Lease
    // written into someone's cluster.
    const { forwarder, config } = inProcessForwarder({
      kubeConfig: kc,
      sqs: queues.client,
      queueUrl: queues.queueUrl,
      clusterName,
      logger: pino({ level: 'warn', base: undefined, timestamp: false }, log.forwarderStream()),
      metrics,
      flags: { maxEventAge: RECENT_EVENTS, ...(fake ? {} : { checkpointConfigmap: '' }) },
    });
    const checkpoint = config.checkpoint;
    if (fake && checkpoint)
      fake.upsertNamespace(checkpoint.namespace, { 'kubernetes.io/metadata.name': checkpoint.namespace });
    await forwarder.start();
    closers.push(() => forwarder.stop());
    stages.push({
      name: 'forwarder',
      detail: `watching core/v1 Events as cluster "${clusterName}"${
        checkpoint ? `, checkpoint in ConfigMap ${checkpoint.namespace}/${checkpoint.name}` : ' (read-only)'
      }`,
    });

    const poller = setInterval(() => void poll().catch(() => undefined), POLL_MS);
    closers.push(() => clearInterval(poller));

    let writes = 0;
    const stopReplay = new AbortController();
    closers.push(() => stopReplay.abort());
    const replayOptions = { speed, signal: stopReplay.signal, onWrite: () => void writes++ };
    let replayed: Promise<void>;
    if (!fake) replayed = new Promise<void>(() => undefined);
    else if (options.source.kind === 'file') {
      const envelopes = await readReplayFile(options.source.path, clusterName);
      replayed = replayEvents(fake, envelopes, replayOptions);
    } else replayed = replayIncident(fake, INCIDENT, replayOptions);
    replayed.then(
      () => log.line(`source     replay finished: ${writes} Event writes`),
      (err: unknown) => {
        if (!stopReplay.signal.aborted) log.line(`source     replay failed: ${String(err)}`);
      },
    );

    const drained = async () => {
      await replayed;
      // Settled means: every write reached the forwarder's watch, nothing is buffered or on the queue, no batch
      // is running — twice in a row, so a message between two polls is not missed.
      let calm = 0;
      while (calm < 2) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        await poll();
        const queue = await queues.depth(queues.queueUrl);
        const settled =
          figures.watched >= writes &&
          figures.buffered === 0 &&
          queue.visible + queue.inFlight === 0 &&
          invoking === 0;
        calm = settled ? calm + 1 : 0;
      }
    };

    const flow = ['source', 'forwarder', 'queue', 'function', 'state', 'wecom'];
    return {
      url: `${emulator.url}/`,
      apiServer: fake?.url,
      stages: stages.sort((a, b) => flow.indexOf(a.name) - flow.indexOf(b.name)),
      stats: () => feed.board.snapshot(),
      replayed,
      drained,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

function describeSource(source: EventSource, fake: FakeApiServer | undefined, speed: number): string {
  if (source.kind === 'cluster')
    return `cluster ${source.server} (${source.version}) from ${source.kubeconfig}`;
  const at = speed === 1 ? '' : ` at ${speed}× speed`;
  if (source.kind === 'file') return `fake kube-apiserver ${fake!.url} replaying ${source.path}${at}`;
  const seconds = Math.ceil(INCIDENT.durationSeconds / speed);
  return `fake kube-apiserver ${fake!.url} replaying the bundled incident (${seconds} s${at}): ${INCIDENT.title}`;
}

async function readReplayFile(path: string, cluster: string) {
  const input = readEventInput(await readFile(path, 'utf8'), {
    cluster,
    observedAt: new Date().toISOString(),
  });
  const errors = input.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    const first = errors[0]!;
    throw new Error(`${path}:${first.line}: ${first.path}: ${first.message} (${errors.length} problems)`);
  }
  return input.events.map((item) => item.envelope);
}
