import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Message } from '@aws-sdk/client-sqs';
import { KubeConfig } from '@kubernetes/client-node';
import type { SQSBatchResponse, SQSHandler } from 'aws-lambda';
import { pino } from 'pino';
import {
  Forwarder,
  ForwarderMetrics,
  httpKubeApi,
  sqsQueueClient,
  systemClock,
} from '../../../forwarder/index.ts';
import type { LeaderElectionSettings, QueueClient } from '../../../forwarder/index.ts';
import { DEAD_LETTER_ATTRIBUTES, buildHandler } from '../../../functions/lambda/index.ts';
import { isPileMessageBody } from '../../../functions/deferral/index.ts';
import type { BatchResult } from '../../../functions/pipeline/index.ts';
import type { BatchStats } from '../../../functions/pipeline/index.ts';
import { compileRules } from '../../../functions/rules/index.ts';
import { validateBundle } from '../../../functions/bundle/index.ts';
import type { RulesEngine } from '../../../functions/rules/index.ts';
import type { Bundle } from '../../../functions/bundle/index.ts';
import { EventSourceMapping, startLocalStateTable } from '../../../local/index.ts';
import type { LocalStateTable } from '../../../local/index.ts';
import { startFakeApiServer } from '../../../emulators/kube-apiserver/index.ts';
import type { FakeApiServer } from '../../../emulators/kube-apiserver/index.ts';
import { startSqsEmulator } from '../../../emulators/sqs/index.ts';
import { waitFor } from '../../helpers/wait-for.ts';
import type { SqsEmulator } from '../../../emulators/sqs/index.ts';
import { startWecomEmulator } from '../../../emulators/wecom/index.ts';
import type { WecomEmulator } from '../../../emulators/wecom/index.ts';
import { FAULT_BUNDLE, ROBOTS } from './bundle.ts';
import { account } from './ledger.ts';
import type { Tally } from './ledger.ts';
import { SwitchableRelay } from './relay.ts';
import { ThrottlingProxy } from './throttling-proxy.ts';
import { EventMix } from './traffic.ts';
import { createWarpClock } from './warp-clock.ts';
import type { WarpClock } from './warp-clock.ts';

const root = new URL('../../../', import.meta.url).pathname;
const CLUSTER = 'faults';
const CHECKPOINT = { namespace: 'kube-wecom', name: 'forwarder-checkpoint' };

/** What a scenario varies; the defaults are production's where the loopback allows. */
export interface PipelineOptions {
  /** Receives before the redrive policy moves a message to the DLQ (production: 5). */
  maxReceiveCount?: number;
  /** The events queue's visibility timeout; short, so failures come back within the scenario. */
  visibilityTimeoutSeconds?: number;
  /** The function timeout. Long by default: with the warp clock a robot's 61 s block costs no real time. */
  functionTimeoutSeconds?: number;
  /** Randomness of the WeCom emulator's fault probabilities. */
  wecomRandom?: () => number;
  /** The WeCom client's per-request timeout (default: production's 5 s). */
  wecomRequestTimeoutMs?: number;
  /** Seed of the event mix. */
  seed?: number;
  /** Batches the event source mapping runs at once (Lambda's maximum concurrency; default 1). */
  concurrency?: number;
  /**
   * A soak's setting: keep no per-event records (occurrences, batch bodies, handler stats) and only this many live
   * events in the API server, so the harness's own memory stays flat and the process's samples show the handler's.
   */
  lean?: { keepLive: number };
  /**
   * A mutation, to prove the drills notice loss: in-process forwarders silently drop the SQS entries whose body
   * this matches, and report them sent.
   */
  forwarderDrops?: (body: string) => boolean;
}

/** One in-process forwarder replica, with its own links to the API server and SQS so it can be cut off. */
export interface Replica {
  forwarder: Forwarder;
  metrics: ForwarderMetrics;
  identity: string;
  /** Cuts the replica off from the API server and SQS at once, as a node dying does: no flush, no lease release. */
  kill(): Promise<void>;
}

/** A forwarder running as its own process (`forwarder/main.ts`), for SIGKILL. */
export interface ForwarderProcess {
  child: ChildProcess;
  /** Resolves with the exit code or signal. */
  exited: Promise<number | string | null>;
  /** `http://host:port` of its probes and `/metrics`. */
  url: string;
}

/** When the injected crash fires: on each of the next `times` invocations, after `afterDeliveries` messages went out. */
export interface CrashPlan {
  afterDeliveries: number;
  times: number;
}

/**
 * The whole pipeline on loopback: fake kube-apiserver → forwarder(s) → (throttling proxy) → SQS relay → fauxqs
 * (events queue with redrive to a DLQ) → local event source mapping → the function from `buildHandler` → WeCom
 * emulator (four robots). The handler, WeCom client and emulator share a warp clock. Everything offered is kept in
 * an {@link EventMix}, and `tally()` accounts for each occurrence.
 */
export class Pipeline {
  readonly clock: WarpClock = createWarpClock();
  readonly engine: RulesEngine;
  readonly mix: EventMix;
  readonly replicas: Replica[] = [];
  /** Bodies of every invocation, in order. */
  readonly batches: string[][] = [];
  readonly stats: BatchStats[] = [];
  /** Warnings and errors from the forwarders and the handler, for diagnosing a failed scenario. */
  readonly logs: string[] = [];
  crash: CrashPlan | undefined;
  crashes = 0;
  /** Queue messages handed to the function so far (redeliveries included). */
  processed = 0;
  private mapping: EventSourceMapping | undefined;
  private instance: { handler: SQSHandler; kill(): void } | undefined;
  private readonly clients: SQSClient[] = [];
  private readonly links: SwitchableRelay[] = [];
  private readonly children: ForwarderProcess[] = [];
  private readonly dir = mkdtempSync(join(tmpdir(), 'kube-wecom-faults-'));
  private deadLetterCache: Message[] | undefined;
  private readonly bundle: Bundle;
  private readonly env: NodeJS.ProcessEnv;
  private readonly parkings = new Map<string, string[]>();
  private readonly carried: string[] = [];
  private readonly summarized = new Set<string>();
  /** Piles of parked events the function dead-lettered, as their letters read, for `settle` (the DLQ is read once). */
  private readonly deadPiles: Message[] = [];

  private constructor(
    readonly fake: FakeApiServer,
    readonly sqs: SqsEmulator,
    /** SQS as everyone reaches it: take it `down()` to make the queue unreachable. */
    readonly sqsRelay: SwitchableRelay,
    /** Between forwarders and SQS: set `rate` to throttle SendMessageBatch entries. */
    readonly throttle: ThrottlingProxy,
    readonly wecom: WecomEmulator,
    /** The robot budgets and parked events, shared by every function instance, as the deployed table is. */
    readonly state: LocalStateTable,
    readonly queueUrl: string,
    readonly dlqUrl: string,
    private readonly options: PipelineOptions,
  ) {
    const validated = validateBundle(FAULT_BUNDLE);
    if (!validated.bundle) throw new Error(`fault bundle is invalid: ${JSON.stringify(validated.problems)}`);
    this.bundle = validated.bundle;
    this.engine = compileRules(this.bundle);
    this.mix = new EventMix(
      fake,
      CLUSTER,
      options.seed ?? 1,
      options.lean ? { record: false, keepLive: options.lean.keepLive } : {},
    );
    this.env = {
      KUBE_WECOM_ALLOWED_WEBHOOK_HOSTS: `127.0.0.1:${wecom.port}`,
      KUBE_WECOM_DLQ_URL: dlqUrl,
      KUBE_WECOM_MAX_RECEIVE_COUNT: String(options.maxReceiveCount ?? 5),
      KUBE_WECOM_STATE_TABLE: state.tableName,
      KUBE_WECOM_EVENTS_QUEUE_URL: queueUrl,
    };
    for (const [variable, key] of Object.entries(ROBOTS)) this.env[variable] = wecom.webhookUrl(key);
  }

  static async start(options: PipelineOptions = {}): Promise<Pipeline> {
    const fake = await startFakeApiServer();
    const sqs = await startSqsEmulator();
    const dlq = sqs.createQueue('events-dlq');
    const queue = sqs.createQueue('events', {
      VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 3),
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: dlq.arn,
        maxReceiveCount: options.maxReceiveCount ?? 5,
      }),
    });
    const relay = new SwitchableRelay(sqs.server.port);
    await relay.up();
    const throttle = await ThrottlingProxy.start(relay.port);
    const state = await startLocalStateTable('kube-wecom-faults-state');
    const clock = { now: () => 0 };
    const wecom = await startWecomEmulator({
      keys: Object.values(ROBOTS),
      clock: () => clock.now(),
      ...(options.wecomRandom ? { random: options.wecomRandom } : {}),
    });
    const pipeline = new Pipeline(fake, sqs, relay, throttle, wecom, state, queue.url, dlq.url, options);
    clock.now = pipeline.clock.now;
    return pipeline;
  }

  /** Forwarder processes started so far, the latest last. */
  get forwarderProcesses(): readonly ForwarderProcess[] {
    return this.children;
  }

  /** An SQS client through the relay: it fails while the queue is unreachable, as the real one would. */
  private sqsClient(port: number): SQSClient {
    const client = new SQSClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    this.clients.push(client);
    return client;
  }

  private async link(targetPort: number): Promise<SwitchableRelay> {
    const link = new SwitchableRelay(targetPort);
    await link.up();
    this.links.push(link);
    return link;
  }

  /** Starts an in-process forwarder replica with test-sized timings (checkpoint every 500 ms). */
  async startReplica(
    identity: string,
    leaderElection?: Omit<LeaderElectionSettings, 'identity' | 'namespace' | 'name'>,
  ): Promise<Replica> {
    const kubeLink = await this.link(this.fake.port);
    const sqsLink = await this.link(this.throttle.port);
    const kc = new KubeConfig();
    kc.loadFromString(this.fake.kubeconfig().replace(this.fake.url, `http://127.0.0.1:${kubeLink.port}`));
    const metrics = new ForwarderMetrics();
    const forwarder = new Forwarder({
      kube: httpKubeApi(kc, { watchInactivityMs: 30_000 }),
      queue: dropping(
        sqsQueueClient(this.sqsClient(sqsLink.port), this.queueUrl),
        this.options.forwarderDrops,
      ),
      clock: systemClock,
      logger: this.logger(`forwarder ${identity}`),
      metrics,
      clusterName: CLUSTER,
      api: 'core',
      types: [],
      namespaces: [],
      maxEventAgeMs: 5 * 60_000,
      checkpoint: { ...CHECKPOINT, intervalMs: 500 },
      bufferMaxEvents: 10_000,
      bufferMaxBytes: 64 * 1024 * 1024,
      lingerMs: 50,
      sendConcurrency: 2,
      watchTimeoutSeconds: 60,
      graceMs: 5000,
      watchBackoff: { initialMs: 50, maxMs: 1000 },
      sqsBackoff: { initialMs: 50, maxMs: 1000 },
      ...(leaderElection
        ? {
            leaderElection: {
              namespace: 'kube-wecom',
              name: 'kube-wecom-forwarder',
              identity,
              ...leaderElection,
            },
          }
        : {}),
    });
    const replica: Replica = {
      forwarder,
      metrics,
      identity,
      kill: async () => {
        await Promise.all([kubeLink.down(), sqsLink.down()]);
      },
    };
    this.replicas.push(replica);
    await forwarder.start();
    return replica;
  }

  /** Starts `kube-wecom-forwarder` (forwarder/main.ts) as a child process; resolves once it is ready. */
  async startForwarderProcess(): Promise<ForwarderProcess> {
    const kubeconfig = join(this.dir, 'kubeconfig');
    writeFileSync(kubeconfig, this.fake.kubeconfig());
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'forwarder/main.ts', '--kubeconfig', kubeconfig, '--listen', '127.0.0.1:0'],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH,
          HOME: this.dir,
          QUEUE_URL: this.queueUrl,
          CLUSTER_NAME: CLUSTER,
          LEADER_ELECT: 'false',
          CHECKPOINT_CONFIGMAP: `${CHECKPOINT.namespace}/${CHECKPOINT.name}`,
          AWS_ENDPOINT_URL_SQS: `http://127.0.0.1:${this.throttle.port}`,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<number | string | null>((resolve) =>
      child.on('exit', (code, signal) => resolve(signal ?? code)),
    );
    // Registered at once, so `stop()` kills it even when it never becomes ready.
    const started: ForwarderProcess = { child, exited, url: '' };
    this.children.push(started);
    let listen: string | undefined;
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter(Boolean)) {
        const parsed = JSON.parse(line) as { level: number; msg: string; listen?: string };
        if (parsed.msg === 'forwarder starting') listen = parsed.listen;
        if (parsed.level >= 40) this.note(`forwarder process: ${line}`);
      }
    });
    await waitFor(
      'the forwarder process to log its address',
      () => listen !== undefined || child.exitCode !== null,
      30_000,
    );
    if (child.exitCode !== null) throw new Error(`the forwarder process exited: ${stderr}`);
    started.url = `http://${listen}`;
    await waitFor(
      'the forwarder process to be ready',
      async () => (await fetch(`${started.url}/readyz`).catch(() => undefined))?.status === 200,
      30_000,
    );
    return started;
  }

  /** Starts the event source mapping and the function (batch size 10, as the deployed mapping's default). */
  async startFunction(): Promise<void> {
    const sqs = this.sqsClient(this.sqsRelay.port);
    this.mapping = new EventSourceMapping({
      sqs,
      queueUrl: this.queueUrl,
      batchSize: 10,
      maximumBatchingWindowSeconds: 0,
      functionTimeoutSeconds: this.options.functionTimeoutSeconds ?? 120,
      idleWaitSeconds: 1,
      maximumConcurrency: this.options.concurrency ?? 1,
      handler: (event, context) => {
        this.processed += event.Records.length;
        if (!this.options.lean) this.batches.push(event.Records.map((record) => record.body));
        this.instance ??= this.coldStart(sqs);
        return this.invoke(this.instance, event, context);
      },
      onError: (error) => this.note(`event source mapping: ${String(error)}`),
    });
    await this.mapping.start();
  }

  /** A fresh function instance, as Lambda starts after a crash. A killed instance's clock jumps past every deadline. */
  private coldStart(sqs: SQSClient): { handler: SQSHandler; kill(): void } {
    let alive = true;
    const clock = () => (alive ? this.clock.now() : Number.MAX_SAFE_INTEGER / 2);
    const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
      if (level !== 'info') this.note(`handler ${level}: ${message} ${JSON.stringify(fields ?? {})}`);
    };
    // A killed instance's clock jumps past every deadline; what it would still write to the state table with that
    // clock (a wake-up due in a million years) must not outlive it, as a stopped process writes nothing.
    const dynamodb = this.state.client();
    dynamodb.middlewareStack.add(
      (next) => async (args) => {
        if (!alive) throw new Error('the function instance was killed');
        return next(args);
      },
      { step: 'initialize', name: 'deadInstanceWritesNothing' },
    );
    const handler = buildHandler({
      bundle: this.bundle,
      env: this.env,
      sqs: this.warped(sqs),
      dynamodb,
      observer: (result) => this.summarize(result),
      logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
      metrics: { publish: (batch) => void (this.options.lean ? undefined : this.stats.push(batch)) },
      clock,
      wecom: {
        sleep: this.clock.sleep,
        ...(this.options.wecomRequestTimeoutMs
          ? { requestTimeoutMs: this.options.wecomRequestTimeoutMs }
          : {}),
      },
    });
    return { handler, kill: () => (alive = false) };
  }

  /**
   * The function's SQS client, with the delay of every copy it re-enqueues passed at once on the warp clock: a
   * robot's budget frees a minute later in warp time, as its emulator's window does, without a real minute.
   */
  private warped(sqs: SQSClient): SQSClient {
    sqs.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { Entries?: { DelaySeconds?: number }[] };
        for (const entry of input.Entries ?? []) {
          if (!entry.DelaySeconds) continue;
          await this.clock.sleep(entry.DelaySeconds * 1000);
          entry.DelaySeconds = 0;
        }
        return next(args);
      },
      { step: 'initialize', name: 'warpCopyDelays', override: true },
    );
    return sqs;
  }

  /**
   * Events a summary covered ("+N more events": accepted, but not listed one by one), by uid, from what the
   * function reported: its own events and those of the parkings it carried.
   */
  private summarize(result: BatchResult): void {
    for (const deferral of result.deferrals) {
      if (deferral.parking) this.parkings.set(deferral.parking.id, deferral.parking.uids);
    }
    for (const letter of result.deadLetters)
      if (letter.body && isPileMessageBody(letter.body))
        this.deadPiles.push({
          Body: letter.body,
          MessageAttributes: {
            [DEAD_LETTER_ATTRIBUTES.reason]: { DataType: 'String', StringValue: letter.reason },
          },
        });
    for (const outcome of result.outcomes) {
      if (outcome.status !== 'sent' || !outcome.planned.overflow) continue;
      for (const event of outcome.planned.events) this.summarized.add(event.event.uid);
      for (const id of outcome.planned.parked?.parkings ?? []) this.carried.push(id);
    }
  }

  /** Uids covered by an accepted summary, directly or through a parking it carried. */
  private summarizedUids(): Set<string> {
    for (const id of this.carried.splice(0)) {
      const uids = this.parkings.get(id);
      if (uids) for (const uid of uids) this.summarized.add(uid);
      else this.carried.push(id);
    }
    return this.summarized;
  }

  /** Runs one invocation; with a crash plan armed, the instance dies once enough messages went out. */
  private async invoke(
    instance: { handler: SQSHandler; kill(): void },
    event: Parameters<SQSHandler>[0],
    context: Parameters<SQSHandler>[1],
  ): Promise<SQSBatchResponse | void> {
    const run = instance.handler(event, context, () => {}) as Promise<SQSBatchResponse | void>;
    const plan = this.crash;
    if (!plan || plan.times <= this.crashes) return run;
    let sent = 0;
    let stopListening = () => {};
    const crashed = new Promise<never>((_, reject) => {
      stopListening = this.wecom.onMessage(() => {
        if (++sent < plan.afterDeliveries) return;
        stopListening();
        this.crashes++;
        instance.kill();
        if (this.instance === instance) this.instance = undefined;
        reject(new Error('the function crashed mid-batch (injected)'));
      });
    });
    try {
      return await Promise.race([run, crashed]);
    } finally {
      stopListening();
    }
  }

  /** Every DLQ message with its attributes (read once, at the end: reading hides them for a minute). */
  async deadLetters(): Promise<Message[]> {
    if (this.deadLetterCache) return this.deadLetterCache;
    const found = new Map<string, Message>();
    for (;;) {
      const received = await this.sqs.client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.dlqUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 120,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ['All'],
        }),
      );
      const messages = received.Messages ?? [];
      if (messages.length === 0) break;
      for (const message of messages) found.set(message.MessageId!, message);
    }
    this.deadLetterCache = [...found.values()];
    return this.deadLetterCache;
  }

  /** Accounts for every occurrence offered so far. */
  async tally(): Promise<Tally> {
    return this.account(await this.deadLetters());
  }

  private account(deadLetters: Message[]): Tally {
    return account({
      offered: this.mix.offered,
      engine: this.engine,
      messages: this.wecom.messages(),
      deadLetters,
      batches: this.batches,
      summarized: this.summarizedUids(),
      parkedUids: (id) => this.parkings.get(id),
      now: Date.now(),
    });
  }

  /**
   * Waits until the events queue is empty and every occurrence is delivered, suppressed, or could be among the
   * dead letters; returns the real milliseconds this took from `since` (the end of the fault).
   */
  async settle(since: number, timeoutMs = 90_000): Promise<number> {
    let settledAt = 0;
    await waitFor(
      'every offered event to be accounted for',
      async () => {
        const depth = await this.sqs.depth(this.queueUrl);
        if (depth.visible + depth.inFlight > 0) return false;
        const dlq = await this.sqs.depth(this.dlqUrl);
        // One letter holds a whole pile of parked events, so those count as open only until their pile is known.
        const open = this.account(this.deadPiles).missing.length;
        if (open > dlq.visible + dlq.inFlight) return false;
        settledAt = Date.now();
        return true;
      },
      timeoutMs,
    ).catch(() => undefined);
    return settledAt === 0 ? Number.NaN : Math.max(0, settledAt - since);
  }

  /** Stops everything, forwarders first (gracefully, so nothing keeps sending into a closed queue). */
  async stop(): Promise<void> {
    for (const p of this.children) p.child.kill('SIGKILL');
    await Promise.all(this.children.map((p) => p.exited));
    await Promise.all(this.replicas.map((r) => r.forwarder.stop().catch(() => undefined)));
    await this.mapping?.stop();
    for (const client of this.clients) client.destroy();
    for (const link of this.links) await link.down();
    await this.throttle.close();
    await this.sqsRelay.down();
    await this.wecom.stop();
    await this.state.stop();
    await this.sqs.stop();
    await this.fake.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Keeps a log line; the first 2000 are enough to diagnose a run, and a soak must not grow without bound. */
  private note(line: string): void {
    if (this.logs.length < 2000) this.logs.push(line);
  }

  private logger(name: string) {
    return pino(
      { level: 'warn', base: { name } },
      new Writable({
        write: (chunk: Buffer, _enc, done) => {
          this.note(chunk.toString().trim());
          done();
        },
      }),
    );
  }
}

/** One scenario's measured result, as printed and as written to docs/reliability.md. */
export interface ScenarioResult {
  scenario: string;
  tally: Tally;
  recoveryMs: number;
}

/** Prints a report line and, with `KUBE_WECOM_FAULT_RESULTS=<file>`, appends the result there as JSON. */
export function report(scenario: string, tally: Tally, recoveryMs: number): void {
  const suppressed = Object.values(tally.suppressed).reduce((a, b) => a + b, 0);
  console.log(
    `fault ${scenario}: offered ${tally.offered} / delivered ${tally.delivered}` +
      (tally.coalesced ? ` (coalesced ${tally.coalesced})` : '') +
      ` / suppressed ${suppressed} / dead-lettered ${tally.deadLettered + tally.deadLetteredWithoutReason}` +
      ` / duplicates ${tally.duplicates} / recovery ${Number.isNaN(recoveryMs) ? 'n/a' : `${recoveryMs} ms`}` +
      ` / missing ${tally.missing.length}`,
  );
  const file = process.env.KUBE_WECOM_FAULT_RESULTS;
  if (file) {
    const { missing, ...rest } = tally;
    appendFileSync(file, `${JSON.stringify({ scenario, ...rest, missing: missing.length, recoveryMs })}\n`);
  }
}

/** How much the long faults are scaled: `KUBE_WECOM_FAULT_SCALE` (default 0.1; 1 runs them at full length). */
export function faultScale(): number {
  const raw = process.env.KUBE_WECOM_FAULT_SCALE;
  const scale = raw === undefined ? 0.1 : Number(raw);
  if (!(scale > 0 && scale <= 10)) throw new Error(`KUBE_WECOM_FAULT_SCALE must be in (0, 10], got ${raw}`);
  return scale;
}

/** `queue`, or with `drops` a queue that loses the matching entries while answering that it took them. */
function dropping(queue: QueueClient, drops: ((body: string) => boolean) | undefined): QueueClient {
  if (!drops) return queue;
  return {
    probe: () => queue.probe(),
    sendBatch: async (entries) => {
      const kept = entries.filter((entry) => !drops(entry.MessageBody ?? ''));
      const lost = entries.filter((entry) => drops(entry.MessageBody ?? ''));
      const result = kept.length > 0 ? await queue.sendBatch(kept) : { Successful: [], Failed: [] };
      const taken = lost.map((entry) => ({
        Id: entry.Id!,
        MessageId: `dropped-${entry.Id}`,
        MD5OfMessageBody: '',
      }));
      return { ...result, Successful: [...(result.Successful ?? []), ...taken] };
    },
  };
}
