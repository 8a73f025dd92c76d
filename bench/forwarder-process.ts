import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { imageEnv, imageNodeFlags } from '../infra/dockerfile.ts';

const root = new URL('../', import.meta.url).pathname;
/** /proc counts CPU time in USER_HZ ticks, which Linux fixes at 100 per second for user space. */
const CLOCK_TICKS_PER_SECOND = 100;

/** The forwarder's container bundle, built once into a temporary directory. */
export interface ForwarderBundle {
  path: string;
  dir: string;
  remove(): void;
}

/** Builds the same esbuild bundle the container image runs, so the bench measures what production runs. */
export function buildForwarderBundle(): ForwarderBundle {
  const dir = mkdtempSync(join(tmpdir(), 'kube-wecom-bench-'));
  const built = spawnSync(process.execPath, [join(root, 'scripts/build-forwarder.mjs'), dir], {
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`building the forwarder bundle failed: ${built.stderr}`);
  return { path: join(dir, 'main.mjs'), dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What a forwarder child needs to know: where the fake API server and the queue are. */
export interface ForwarderProcessOptions {
  bundle: ForwarderBundle;
  kubeconfig: string;
  queueUrl: string;
  sqsEndpoint: string;
  /** Extra flags, e.g. `['--linger', '10ms']`. */
  args?: string[];
  /** `node` flags besides the image's own (`imageNodeFlags`), e.g. `['--cpu-prof']`. */
  nodeArgs?: string[];
}

/** Memory of a process as the kernel counts it, in MiB. */
export interface ProcessMemory {
  rssMiB: number;
  /** Peak RSS since the process started (VmHWM). */
  peakMiB: number;
}

/**
 * The forwarder running in a process of its own, exactly as in the container (the bundle, the image's `node`
 * flags and environment, configured by flags and the AWS SDK's environment), so its CPU time and memory are
 * measured alone and from outside.
 */
export class ForwarderProcess {
  private exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly metricsUrl: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** Starts the child and resolves once `/readyz` answers 200 (the watch is open and SQS answered). */
  static async start(options: ForwarderProcessOptions): Promise<ForwarderProcess> {
    const kubeconfig = join(options.bundle.dir, `kubeconfig-${process.hrtime.bigint()}`);
    writeFileSync(kubeconfig, options.kubeconfig);
    const child = spawn(
      process.execPath,
      [
        ...imageNodeFlags(),
        ...(options.nodeArgs ?? []),
        options.bundle.path,
        '--kubeconfig',
        kubeconfig,
        '--queue-url',
        options.queueUrl,
        '--cluster-name',
        'bench',
        '--listen',
        '127.0.0.1:0',
        ...(options.args ?? []),
      ],
      {
        cwd: options.bundle.dir,
        stdio: ['ignore', 'pipe', 'inherit'],
        env: {
          ...imageEnv(),
          PATH: process.env.PATH,
          // The AWS SDK warns about Node 20 on every start; the bench output is no place for it.
          NODE_NO_WARNINGS: '1',
          AWS_ENDPOINT_URL_SQS: options.sqsEndpoint,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'bench',
          AWS_SECRET_ACCESS_KEY: 'bench',
        },
      },
    );
    const listen = await new Promise<string>((resolve, reject) => {
      const lines = createInterface(child.stdout!);
      child.once('exit', (code) => reject(new Error(`forwarder exited with ${code} before it listened`)));
      lines.on('line', (line) => {
        // Besides the JSON log, stdout carries what V8's tracing flags print (--trace-opt, --trace-deopt).
        const log = line.startsWith('{')
          ? (JSON.parse(line) as { msg?: string; listen?: string; level?: number })
          : undefined;
        if (log?.msg === 'forwarder starting' && log.listen) resolve(log.listen);
        else if (!log || (log.level ?? 0) >= 40) process.stderr.write(`forwarder: ${line}\n`);
      });
    });
    const running = new ForwarderProcess(child, `http://${listen}`);
    const deadline = Date.now() + 20_000;
    while ((await fetch(`${running.metricsUrl}/readyz`).catch(() => undefined))?.status !== 200) {
      if (Date.now() > deadline) {
        await running.stop();
        throw new Error('forwarder not ready after 20 s');
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return running;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** CPU time (user + system, all threads) the forwarder spent so far, in ms, as it reports on /metrics. */
  async cpuMs(): Promise<number> {
    return (await this.metric('process_cpu_seconds_total')) * 1000;
  }

  /** The sum of a metric's samples over all label values, from the forwarder's /metrics. */
  async metric(name: string): Promise<number> {
    const text = await (await fetch(`${this.metricsUrl}/metrics`)).text();
    let sum = 0;
    for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) sum += Number(m[1]);
    return sum;
  }

  /** CPU time of the whole process from /proc, without a scrape (which costs the forwarder CPU of its own). */
  processCpuMs(): number {
    return processCpuMs(this.pid);
  }

  /**
   * CPU time of the main thread alone (the one running JavaScript), in ms, from /proc: the rest of `cpuMs` is
   * V8's helper threads (garbage collection, compilation) and libuv's.
   */
  mainThreadCpuMs(): number {
    return statCpuMs(`/proc/${this.pid}/task/${this.pid}/stat`);
  }

  /** Current and peak RSS from /proc, read from outside the process. */
  memory(): ProcessMemory {
    return processMemory(this.pid);
  }

  /** SIGTERM (flush, checkpoint, exit 0) and wait for the exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}

/** CPU time (user + system, all threads) a process spent so far, in ms, from /proc. */
export function processCpuMs(pid: number): number {
  return statCpuMs(`/proc/${pid}/stat`);
}

/** Current and peak RSS of a process from /proc, read from outside it. */
export function processMemory(pid: number): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
}

function statCpuMs(statPath: string): number {
  const stat = readFileSync(statPath, 'utf8');
  // Fields after the command name, which may itself hold spaces: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}
