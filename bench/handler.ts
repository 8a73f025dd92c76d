import { BudgetLedger, MemoryBudgetStore } from '../functions/budget/index.ts';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WebhookSender } from '../functions/lambda/index.ts';
import { planBatch, processBatch } from '../functions/pipeline/index.ts';
import type { BatchRecord } from '../functions/pipeline/index.ts';
import { compileRenderer } from '../functions/render/index.ts';
import { compileRules } from '../functions/rules/index.ts';
import { validateBundle } from '../functions/bundle/index.ts';
import type { Bundle } from '../functions/bundle/index.ts';
import { ALLOWED_HOSTS_ENV, WebhookResolver, WecomClient } from '../functions/channels/wecom/index.ts';
import { startWecomEmulator } from '../emulators/wecom/index.ts';
import type { WecomEmulator } from '../emulators/wecom/index.ts';
import { generateBundle, generateCorpus } from './corpus.ts';
import { median, medianMs, medianOf } from './measure.ts';
import type { BenchResult } from './measure.ts';

const BATCH = 10_000;
const NOW = Date.parse('2026-11-27T10:00:00Z');
/**
 * An HTTPS round trip to WeCom's robot API, which is served from mainland China, from a Lambda in another region:
 * loopback answers at once, so without it the delivery figure hides that each robot's messages wait in turn.
 */
const WECOM_ROUND_TRIP_MS = 100;
const root = new URL('../', import.meta.url).pathname;

/**
 * The function's handler: (a) a 10,000-message batch planned (parse → route → collapse → group → render → fit →
 * budget) against the JSON.parse floor; (b) the same batch delivered to the WeCom emulator over loopback; (c) the
 * built Lambda artifact's size, cold start and first invocation in a fresh `node` (skipped with `--quick`:
 * packaging takes seconds).
 */
export async function benchHandler(opts: { quick: boolean }): Promise<BenchResult[]> {
  const records: BatchRecord[] = generateCorpus(BATCH).map((envelope, i) => ({
    messageId: `m-${i}`,
    body: JSON.stringify(envelope),
  }));
  const validated = validateBundle(generateBundle(50));
  if (!validated.bundle) throw new Error(`bench bundle is invalid: ${JSON.stringify(validated.problems)}`);
  const bundle = validated.bundle;
  const deps = { engine: compileRules(bundle), renderer: compileRenderer(bundle, { now: () => NOW }) };

  let sink = 0;
  const runs = opts.quick ? 3 : 10;
  const floor = medianMs(() => {
    for (const record of records) sink += (JSON.parse(record.body) as { v: number }).v;
  }, runs);
  // planBatch is async only for `repeat.every` claims, which this bundle has none of: the time is the plan's.
  const plan = await medianOf(
    async () => {
      const start = performance.now();
      sink += (await planBatch(records, deps, NOW)).planned.length;
      return performance.now() - start;
    },
    runs,
    2,
  );
  if (sink < 0) console.log(sink);

  const results: BenchResult[] = [
    {
      case: 'handler plan: 10,000 messages, 50 routes (no delivery)',
      value: round(plan),
      unit: 'ms',
      target: '≤ 150, ≤ 4.0× floor',
      floor,
      ratio: plan / floor,
    },
    ...(await benchDelivery(records, bundle, deps, opts.quick ? 1 : 3)),
  ];
  if (opts.quick) process.stderr.write('handler: cold start of the built artifact skipped in --quick mode\n');
  else results.push(...(await benchColdStart(5)));
  return results;
}

/** What one delivery of the batch took and did. */
interface Delivery {
  ms: number;
  /** Messages the busiest robot received. */
  busiest: number;
  /** Why messages failed, if any did. */
  refused: string[];
}

/**
 * processBatch of the whole batch to the emulator: wall time (median of `runs`) and the busiest robot's count; then
 * the same with every answer `WECOM_ROUND_TRIP_MS` late, since each robot's messages go out one after another.
 */
async function benchDelivery(
  records: readonly BatchRecord[],
  bundle: Bundle,
  deps: Omit<Parameters<typeof processBatch>[1], 'sender'>,
  runs: number,
): Promise<BenchResult[]> {
  const emulator = await startWecomEmulator({ acceptAnyKey: true });
  try {
    const env = webhookEnv(bundle, emulator);
    const allowedHosts = [`127.0.0.1:${emulator.port}`];
    const deliver = async (latencyMs: number): Promise<Delivery> => {
      emulator.reset();
      if (latencyMs > 0) emulator.inject({ kind: 'latency', ms: latencyMs });
      // A fresh client per run, as a fresh batch a minute later would find: its per-robot budget starts full.
      const sender = new WebhookSender({
        bundle,
        resolver: new WebhookResolver({ env }),
        client: new WecomClient({ allowedHosts }),
        ledger: new BudgetLedger({ store: new MemoryBudgetStore(), logger: { warn() {} } }),
      });
      const start = performance.now();
      const result = await processBatch(
        records,
        { ...deps, sender },
        { now: NOW, deadline: Date.now() + 300_000 },
      );
      const ms = performance.now() - start;
      const refused = result.outcomes.flatMap((outcome) =>
        outcome.status === 'sent' ? [] : [outcome.reason],
      );
      const perRobot = new Map<string, number>();
      for (const message of emulator.messages())
        perRobot.set(message.key, (perRobot.get(message.key) ?? 0) + 1);
      return { ms, busiest: Math.max(...perRobot.values()), refused };
    };
    const near: Delivery[] = [];
    for (let run = 0; run < runs; run++) near.push(await deliver(0));
    const far: Delivery[] = [];
    for (let run = 0; run < Math.min(runs, 3); run++) far.push(await deliver(WECOM_ROUND_TRIP_MS));
    const refused = [...near, ...far].flatMap((delivery) => delivery.refused);
    if (refused.length > 0) throw new Error(`${refused.length} messages failed, e.g. ${refused[0]}`);
    return [
      {
        case: 'handler deliver: the batch to the WeCom emulator (loopback)',
        value: round(median(near.map((delivery) => delivery.ms))),
        unit: 'ms',
        target: '≤ 1000',
      },
      {
        case: 'handler deliver: messages to the busiest robot',
        value: Math.max(...near.map((delivery) => delivery.busiest)),
        unit: 'messages',
        target: '≤ 20',
      },
      {
        case: `handler deliver: the same, WeCom answering after ${WECOM_ROUND_TRIP_MS} ms`,
        value: round(median(far.map((delivery) => delivery.ms))),
        unit: 'ms',
      },
    ];
  } finally {
    await emulator.stop();
  }
}

/** `env:NAME` webhook references → emulator URLs, one robot per receiver. */
function webhookEnv(bundle: Bundle, emulator: WecomEmulator): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, receiver] of Object.entries(bundle.receivers)) {
    if (receiver.webhook.startsWith('env:'))
      env[receiver.webhook.slice(4)] = emulator.webhookUrl(`bench-${name}`);
  }
  return env;
}

/**
 * Packages the dev stage (osls, offline, no credentials), then starts the handler in fresh `node` processes, as
 * Lambda would with the stage's settings (its DLQ, its `ssm:` webhooks). Two figures per process: the time from
 * `import()` to a ready handler (rules and templates compiled; the SSM client and the time zone's data load after,
 * in the webhook warm-up and the first render), and the time from `import()` to the end of a first invocation that
 * delivers a 10-message batch, so whatever the first figure leaves out is counted in the second. SSM and WeCom are
 * stubs on loopback.
 */
async function benchColdStart(runs: number): Promise<BenchResult[]> {
  const work = mkdtempSync(join(tmpdir(), 'kube-wecom-bench-'));
  const emulator = await startWecomEmulator({ acceptAnyKey: true });
  const ssm = await startSsmStub((name) => emulator.webhookUrl(`bench${name.replaceAll('/', '-')}`));
  try {
    rmSync(join(root, '.esbuild'), { recursive: true, force: true });
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AWS_')) env[key] = value;
    const pack = spawnSync(
      process.execPath,
      [join(root, 'node_modules/osls/bin/serverless.js'), 'package', '--stage', 'dev', '--package', work],
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...env, HOME: work, SLS_TELEMETRY_DISABLED: '1' },
        timeout: 180_000,
      },
    );
    if (pack.status !== 0) throw new Error(`serverless package failed:\n${pack.stdout}${pack.stderr}`);
    const zip = join(work, 'kube-wecom.zip');
    const unzip = spawnSync('unzip', ['-q', zip, '-d', join(work, 'artifact')], { encoding: 'utf8' });
    if (unzip.status !== 0) throw new Error(`unzip failed: ${unzip.stderr}`);

    const eventFile = join(work, 'event.json');
    writeFileSync(eventFile, JSON.stringify(sqsEvent(generateCorpus(10, 7))));
    const handlerUrl = pathToFileURL(join(work, 'artifact/functions/handler.mjs')).href;
    const script = [
      "const event = JSON.parse((await import('node:fs')).readFileSync(process.argv[2], 'utf8'));",
      'const t = performance.now();',
      'const { handler } = await import(process.argv[1]);',
      'const init = performance.now() - t;',
      'const result = await handler(event, { getRemainingTimeInMillis: () => 30_000 });',
      "process.stdout.write('\\nINIT ' + init + '\\nFIRST ' + (performance.now() - t) + '\\nFAILED ' + result.batchItemFailures.length + '\\n');",
      'process.exit(0);',
    ].join('\n');
    const inits: number[] = [];
    const firsts: number[] = [];
    for (let run = 0; run < runs; run++) {
      emulator.reset();
      const child = await runNode(
        ['--enable-source-maps', '--input-type=module', '-e', script, handlerUrl, eventFile],
        {
          PATH: process.env.PATH,
          AWS_REGION: 'ap-southeast-1',
          AWS_ACCESS_KEY_ID: 'bench',
          AWS_SECRET_ACCESS_KEY: 'bench',
          AWS_ENDPOINT_URL_SSM: ssm.url,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          [ALLOWED_HOSTS_ENV]: `127.0.0.1:${emulator.port}`,
          // As deployed; nothing is dead-lettered here, so nothing is sent to it.
          KUBE_WECOM_DLQ_URL: 'http://127.0.0.1:9/000000000000/kube-wecom-dev-dlq',
        },
      );
      const init = /^INIT (\S+)$/m.exec(child.stdout);
      const first = /^FIRST (\S+)$/m.exec(child.stdout);
      const failed = /^FAILED (\S+)$/m.exec(child.stdout);
      if (child.status !== 0 || !init || !first)
        throw new Error(`the artifact did not start:\n${child.stderr}`);
      if (failed?.[1] !== '0' || emulator.messages().length === 0) {
        throw new Error(`the first batch was not delivered:\n${child.stdout}${child.stderr}`);
      }
      inits.push(Number(init[1]));
      firsts.push(Number(first[1]));
    }
    return [
      {
        case: 'cold start: import the built handler and compile the bundle (SSM client, zone data after)',
        value: round(median(inits)),
        unit: 'ms',
        target: '≤ 150',
      },
      {
        case: 'cold start + first invocation: import, then 10 messages delivered (SSM, WeCom on loopback)',
        value: round(median(firsts)),
        unit: 'ms',
      },
      {
        case: 'artifact: zipped Lambda package',
        value: statSync(zip).size,
        unit: 'bytes',
        target: '≤ 1048576',
      },
    ];
  } finally {
    await ssm.stop();
    await emulator.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** An SQS event of one record per envelope, as Lambda hands a batch to the handler. */
function sqsEvent(envelopes: readonly object[]) {
  return {
    Records: envelopes.map((envelope, i) => ({
      messageId: `cold-${i}`,
      body: JSON.stringify(envelope),
      attributes: { ApproximateReceiveCount: '1' },
    })),
  };
}

/** Runs `node` with `args` and only `env`, without blocking this process (its stubs must answer the child). */
function runNode(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * SSM's GetParameters on loopback (the only call the function makes): every name holds the URL `valueOf` gives.
 * The SDK signs and sends the request as it would to AWS; the stub reads only the names.
 */
async function startSsmStub(
  valueOf: (name: string) => string,
): Promise<{ url: string; stop(): Promise<void> }> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const { Names = [] } = JSON.parse(body || '{}') as { Names?: string[] };
      const Parameters = Names.map((Name) => ({
        Name,
        Type: 'SecureString',
        Value: valueOf(Name),
        Version: 1,
      }));
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ Parameters, InvalidParameters: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
