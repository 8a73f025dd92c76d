import { relative } from 'node:path';
import { loadCheckedBundle } from '../../functions/bundle/index.ts';
import { BundleError, formatProblem } from '../../functions/bundle/index.ts';
import type { LocalStats } from '../preview-page/index.ts';
import { startLocalPipeline } from './pipeline.ts';
import type { LocalPipeline } from './pipeline.ts';
import { ClusterUnreachableError, chooseEventSource } from './source.ts';
import type { EventSource } from './source.ts';

/** The options of `kube-wecom start`, as commander collects them. */
export interface StartOptions {
  /** The rules bundle (the CLI supplies its default, config/local.json). */
  config: string;
  events?: string;
  kubeconfig?: string;
  /** False with `--no-cluster`. */
  cluster: boolean;
  port: string;
  deliver: string;
  speed: string;
  once?: boolean;
}

interface StartIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
}

/** Time to change one's mind before `--deliver real` starts messaging real people. */
const REAL_DELIVERY_PAUSE_MS = 5000;

/**
 * `kube-wecom start`: starts the local pipeline, prints one line per stage and the page's URL, then the live log.
 * Resolves with the exit code when the pipeline has stopped: after SIGINT/SIGTERM, or with `--once` when the
 * replay has drained.
 */
export async function runStart(options: StartOptions, io: StartIo): Promise<number> {
  const say = (line: string) => void io.stdout.write(`${line}\n`);
  const fail = (message: string) => {
    io.stderr.write(`kube-wecom start: ${message}\n`);
    return 1;
  };
  const port = Number(options.port);
  const speed = Number(options.speed);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    return fail(`--port ${options.port} is not a port`);
  if (!(speed > 0)) return fail(`--speed ${options.speed} must be a positive number`);
  if (options.deliver !== 'emulator' && options.deliver !== 'real')
    return fail(`--deliver ${options.deliver}: expected emulator or real`);
  if (options.once && options.kubeconfig) return fail('--once replays and exits; it cannot watch a cluster');

  const configPath = options.config;
  let loaded;
  try {
    loaded = await loadCheckedBundle(configPath);
  } catch (err) {
    if (err instanceof BundleError) return fail(err.message);
    throw err;
  }
  for (const warning of loaded.warnings) io.stderr.write(`warning: ${formatProblem(warning)}\n`);

  let choice;
  try {
    choice = await chooseEventSource({
      ...(options.events ? { events: options.events } : {}),
      ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
      cluster: options.cluster && !options.once,
      env: io.env,
    });
  } catch (err) {
    if (err instanceof ClusterUnreachableError) return fail(err.message);
    throw err;
  }

  if (options.deliver === 'real') {
    io.stderr.write(
      '\n  WARNING: --deliver real sends every message to the REAL WeCom robots of the bundle ' +
        '(webhooks from its env:/ssm: references).\n  Real people will be notified. Starting in 5 s: Ctrl-C now if that is not what you want.\n\n',
    );
    for (const [name, receiver] of Object.entries(loaded.bundle.receivers)) {
      const variable = receiver.webhook.startsWith('env:') ? receiver.webhook.slice(4) : undefined;
      if (variable && !io.env[variable])
        io.stderr.write(
          `warning: receiver ${name}: ${variable} is not set, so its messages will be dead letters\n`,
        );
    }
    await new Promise((resolve) => setTimeout(resolve, REAL_DELIVERY_PAUSE_MS));
  }

  say('kube-wecom start: the whole pipeline on this machine (Ctrl-C stops it)');
  say(`  rules      ${relative(process.cwd(), configPath) || configPath}: ${summary(loaded.bundle)}`);

  let pipeline: LocalPipeline;
  try {
    pipeline = await startLocalPipeline({
      bundle: loaded.bundle,
      source: choice.source,
      port,
      deliver: options.deliver,
      speed,
      env: io.env,
      log: say,
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      return fail(`port ${port} is in use; pass --port <n>, or --port 0 for any free port`);
    throw err;
  }
  for (const stage of pipeline.stages) {
    say(`  ${stage.name.padEnd(10)} ${stage.detail}`);
    if (stage.name === 'source' && choice.reason) say(`             (no cluster: ${choice.reason})`);
  }
  say(`  open       ${pipeline.url}`);
  say('');

  const stopped = new Promise<{ why: string; code: number }>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      resolve({ why: signal, code: 0 });
      // A second Ctrl-C does not wait for the graceful stop.
      process.once(signal, () => process.exit(130));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    if (options.once) {
      pipeline.drained().then(
        () => resolve({ why: 'replay drained', code: 0 }),
        (err: unknown) => resolve({ why: `replay failed: ${String(err)}`, code: 1 }),
      );
    }
  });
  const { why, code } = await stopped;
  say(`stopping (${why}): forwarder flush and checkpoint, function, queues, emulator…`);
  await pipeline.stop();
  say(`done: ${totals(pipeline.stats())}`);
  for (const line of whyTotalsVary(choice.source, relative(process.cwd(), configPath) || configPath))
    say(line);
  return code;
}

/**
 * The issue a newcomer meets: two runs of the same events print different totals. Say which figures are fixed,
 * why the others move, and the command whose figures do not.
 */
function whyTotalsVary(source: EventSource, config: string): string[] {
  const events =
    source.kind === 'file'
      ? source.path
      : source.kind === 'incident'
        ? 'local/incident/capture.jsonl'
        : undefined;
  return [
    '  Events watched and queued are the same on every run of the same events. Notified, suppressed and sent',
    "  follow where batches close on the queue's clock, as in Lambda, so they can differ by a few between runs",
    '  (docs/architecture.md, "Why npm start\'s totals can differ between runs").',
    events
      ? `  Figures that do not depend on timing: npx kube-wecom report ${config} --events ${events}`
      : '  Figures that do not depend on timing: kubectl get events -A -o json | npx kube-wecom report ' +
        config,
  ];
}

function summary(bundle: { receivers: object; routes: unknown[]; silences: unknown[] }): string {
  const n = (count: number, what: string) => `${count} ${what}${count === 1 ? '' : 's'}`;
  return [
    n(Object.keys(bundle.receivers).length, 'receiver'),
    n(bundle.routes.length, 'route'),
    n(bundle.silences.length, 'silence'),
  ].join(', ');
}

function totals(stats: LocalStats): string {
  const suppressed = Object.entries(stats.suppressed)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  return [
    `${stats.eventsWatched} events watched`,
    `${stats.queued} queued`,
    `${stats.notified} notified`,
    `suppressed ${suppressed || '0'}`,
    `${stats.messagesSent} messages sent`,
    `${stats.rateLimited} × 45009`,
    `${stats.retries} retries`,
    `DLQ ${stats.dlqDepth}`,
  ].join(' · ');
}
