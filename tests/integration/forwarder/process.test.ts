import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigMapCheckpointStore } from '../../../forwarder/checkpoint/index.ts';
import { names, startTestEnv } from './env.ts';
import { waitFor } from '../../helpers/wait-for.ts';
import type { TestEnv } from './env.ts';

const root = new URL('../../../', import.meta.url).pathname;

describe('forwarder process', () => {
  let env: TestEnv;
  let dir: string;
  before(async () => {
    env = await startTestEnv();
    dir = mkdtempSync(join(tmpdir(), 'forwarder-process-'));
    writeFileSync(join(dir, 'kubeconfig'), env.fake.kubeconfig());
  });
  after(async () => {
    await env.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Runs a forwarder process configured by flags and env vars, checks probes, metrics and one event, then sends
   * SIGTERM and expects a flush, a checkpoint and exit 0.
   */
  async function runAndTerminate(
    command: string[],
    eventName: string,
    checkpointName: string,
  ): Promise<void> {
    const child = spawn(
      process.execPath,
      [
        ...command,
        '--kubeconfig',
        join(dir, 'kubeconfig'),
        '--listen',
        '127.0.0.1:0',
        '--leader-elect=false',
      ],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH,
          HOME: dir,
          QUEUE_URL: env.queueUrl,
          CLUSTER_NAME: 'process-test',
          CHECKPOINT_CONFIGMAP: `kube-wecom/${checkpointName}`,
          GRACE_PERIOD: '5s',
          AWS_ENDPOINT_URL_SQS: `http://127.0.0.1:${env.relay.port}`,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const lines: Array<Record<string, unknown>> = [];
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      await waitFor(
        'startup log',
        () => lines.some((l) => l.msg === 'forwarder starting') || child.exitCode !== null,
        20_000,
      );
      assert.equal(child.exitCode, null, stderr);
      const listen = String(lines.find((l) => l.msg === 'forwarder starting')!.listen);
      const base = `http://${listen}`;
      await waitFor('readiness', async () => (await fetch(`${base}/readyz`)).status === 200, 15_000);
      assert.equal((await fetch(`${base}/healthz`)).status, 200);

      env.fake.createEvent({ namespace: 'default', name: eventName, type: 'Warning', reason: 'Failed' });
      const [envelope] = await env.collect(1);
      assert.equal(envelope?.cluster, 'process-test');
      assert.deepEqual(names([envelope!]), [eventName]);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      assert.match(metrics, /^kube_wecom_forwarder_events_forwarded_total 1$/m);
      assert.match(metrics, /^process_resident_memory_bytes /m);

      child.kill('SIGTERM');
      assert.equal(await exited, 0, stderr);
    } finally {
      child.kill('SIGKILL');
    }
    assert.ok(lines.some((l) => l.msg === 'forwarder stopped'));
    const checkpoint = await new ConfigMapCheckpointStore(env.kube, 'kube-wecom', checkpointName).load();
    assert.equal(
      checkpoint?.resourceVersion,
      env.fake.store.get('events', 'default', eventName)!.metadata.resourceVersion,
    );
  }

  it('runs `kube-wecom forwarder` from flags and env vars, serves probes and metrics, and on SIGTERM flushes, checkpoints and exits 0', () =>
    runAndTerminate(['bin/kube-wecom.mjs', 'forwarder'], 'from-cli', 'cli-checkpoint'));

  it('builds the container bundle with esbuild, and the bundle resumes from the checkpoint the CLI process left', async () => {
    const build = spawnSync(process.execPath, ['scripts/build-forwarder.mjs', join(dir, 'bundle')], {
      cwd: root,
      encoding: 'utf8',
    });
    assert.equal(build.status, 0, build.stderr);
    // undici (client-node's fetch path, never used here) is left out: it cost 10–14 MiB of RSS.
    assert.doesNotMatch(readFileSync(join(dir, 'bundle', 'main.mjs'), 'utf8'), /llhttp/);
    await runAndTerminate([join(dir, 'bundle', 'main.mjs')], 'from-bundle', 'cli-checkpoint');
  });

  it('refuses to start without a queue URL and names the flag and the variable', async () => {
    const child = spawn(process.execPath, ['bin/kube-wecom.mjs', 'forwarder', '--cluster-name', 'x'], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 1);
    assert.match(stderr, /--queue-url \(or QUEUE_URL\) is required/);
  });
});
