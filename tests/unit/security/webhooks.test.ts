import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSBatchResponse } from 'aws-lambda';
import { buildHandler } from '../../../functions/lambda/index.ts';
import type { BatchStats } from '../../../functions/pipeline/index.ts';
import { validateBundle } from '../../../functions/bundle/index.ts';
import type { Bundle } from '../../../functions/bundle/index.ts';
import { createLambdaContext } from '../../../local/index.ts';
import { startWecomEmulator } from '../../../emulators/wecom/index.ts';
import type { WecomEmulator } from '../../../emulators/wecom/index.ts';
import { anEnvelope, NOW } from '../../helpers/builders.ts';

// docs/security.md, "Webhook keys" and "Where the function may send": the rules bundle cannot point the function
// at a host the environment did not allow, and no key shows in logs, metrics, dead-letter reasons or CLI output.

const root = new URL('../../../', import.meta.url).pathname;
const KEY = 'lit3ral-key-0000-1111-2222-9876';
const ENV_KEY = 'envk3y-3333-4444-5555-6666-5432';

let wecom: WecomEmulator;
let work: string;
before(async () => {
  wecom = await startWecomEmulator({ keys: [KEY, ENV_KEY] });
  work = mkdtempSync(join(tmpdir(), 'kube-wecom-security-'));
});
after(async () => {
  await wecom.stop();
  rmSync(work, { recursive: true, force: true });
});

/** One route per receiver, each matching its own namespace. */
/**
 * A bundle as if validated where the emulator is allow-listed: the runtime must refuse the same URLs on its own,
 * whatever validation was given (a bundle can be built elsewhere).
 */
function bundleWith(webhooks: Record<string, string>): Bundle {
  const allowedHosts = Object.values(webhooks).flatMap((webhook) =>
    webhook.startsWith('http') ? [new URL(webhook).host] : [],
  );
  const result = validateBundle(
    {
      version: 1,
      receivers: Object.fromEntries(
        Object.entries(webhooks).map(([name, webhook]) => [name, { webhook, msgtype: 'text' }]),
      ),
      routes: Object.keys(webhooks).map((name) => ({
        name,
        match: { namespaces: [name] },
        receivers: [name],
      })),
    },
    { allowedHosts },
  );
  assert.ok(result.bundle, JSON.stringify(result.problems));
  return result.bundle;
}

interface Run {
  failures: string[];
  logs: string;
  stats: BatchStats[];
}

async function invoke(bundle: Bundle, env: NodeJS.ProcessEnv, namespaces: string[]): Promise<Run> {
  const lines: unknown[] = [];
  const stats: BatchStats[] = [];
  const record = (level: string) => (message: string, fields?: unknown) =>
    void lines.push({ level, message, fields });
  const handler = buildHandler({
    bundle,
    env,
    clock: () => NOW,
    logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') },
    metrics: { publish: (s) => void stats.push(s) },
    wecom: {
      maxAttempts: 2,
      backoff: { baseMs: 1, capMs: 2 },
    },
  });
  const context = createLambdaContext({
    functionName: 'events',
    awsRegion: 'us-east-1',
    memoryLimitInMB: 512,
    timeoutMs: 30_000,
    now: () => NOW,
  });
  const Records = namespaces.map((namespace) => ({
    messageId: `m-${namespace}`,
    receiptHandle: 'rh',
    body: JSON.stringify(anEnvelope({ namespace, uid: `uid-${namespace}` })),
    attributes: {} as never,
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:events',
    awsRegion: 'us-east-1',
  }));
  const response = (await handler({ Records }, context, () => undefined)) as SQSBatchResponse;
  return {
    failures: response.batchItemFailures.map((f) => f.itemIdentifier).sort(),
    logs: JSON.stringify(lines),
    stats,
  };
}

describe('where the function may send', () => {
  it('refuses a literal loopback URL in the bundle unless the environment allow-lists its host', async () => {
    wecom.reset();
    const bundle = bundleWith({ literal: wecom.webhookUrl(KEY), viaenv: 'env:WECOM_VIAENV' });
    const env = { WECOM_VIAENV: wecom.webhookUrl(ENV_KEY) };

    const refused = await invoke(bundle, env, ['literal', 'viaenv']);
    assert.equal(wecom.requests().length, 0, 'nothing reached the loopback host');
    // Without a DLQ configured, dead letters are reported as failures for the redrive policy.
    assert.deepEqual(refused.failures, ['m-literal', 'm-viaenv']);
    assert.match(
      refused.logs,
      /is not allowed: only https:\/\/qyapi\.weixin\.qq\.com\/cgi-bin\/webhook\/send is/,
    );
    assert.equal(refused.stats[0]!.retryLater, 0, 'a refused host is permanent, not retried');

    const allowed = await invoke(
      bundle,
      { ...env, KUBE_WECOM_ALLOWED_WEBHOOK_HOSTS: `127.0.0.1:${wecom.port}` },
      ['literal', 'viaenv'],
    );
    assert.deepEqual(allowed.failures, []);
    assert.equal(wecom.messages(KEY).length, 1);
    assert.equal(wecom.messages(ENV_KEY).length, 1);
  });

  it('an allow-list entry for one port does not open another port of the same host', async () => {
    wecom.reset();
    const bundle = bundleWith({ literal: wecom.webhookUrl(KEY) });
    const run = await invoke(
      bundle,
      { KUBE_WECOM_ALLOWED_WEBHOOK_HOSTS: `127.0.0.1:${wecom.port + 1},127.0.0.1` },
      ['literal'],
    );
    assert.deepEqual(run.failures, ['m-literal']);
    assert.equal(wecom.requests().length, 0);
  });
});

describe('webhook keys', () => {
  it('never appear in handler logs, metrics or dead-letter reasons, whether refused, revoked or delivered', async () => {
    wecom.reset();
    wecom.inject({ kind: 'revoke', key: ENV_KEY });
    const bundle = bundleWith({
      literal: wecom.webhookUrl(KEY),
      viaenv: 'env:WECOM_VIAENV',
      refused: 'env:WECOM_REFUSED',
    });
    const env = {
      WECOM_VIAENV: wecom.webhookUrl(ENV_KEY),
      WECOM_REFUSED: `http://127.0.0.2:9/cgi-bin/webhook/send?key=${KEY}`,
      KUBE_WECOM_ALLOWED_WEBHOOK_HOSTS: `127.0.0.1:${wecom.port}`,
    };
    const run = await invoke(bundle, env, ['literal', 'viaenv', 'refused']);
    assert.deepEqual(run.failures, ['m-refused', 'm-viaenv']);
    assert.match(run.logs, /93000/);
    const everything = `${run.logs}${JSON.stringify(run.stats)}`;
    for (const key of [KEY, ENV_KEY]) {
      assert.ok(!everything.includes(key), `${key} leaked`);
      assert.ok(!everything.includes(key.slice(0, 10)), `a prefix of ${key} leaked`);
    }
  });

  it('never appear in the output of validate or preview, which print bodies, not URLs', () => {
    const bundleFile = join(work, 'literal.json');
    writeFileSync(
      bundleFile,
      JSON.stringify({
        version: 1,
        receivers: {
          wecom: {
            webhook: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${KEY}`,
            msgtype: 'markdown',
          },
          loopback: {
            webhook: `http://127.0.0.1:9/send?key=${ENV_KEY}`,
            msgtype: 'text',
            mentions: { users: ['wang'] },
          },
        },
        routes: [{ name: 'all', receivers: ['wecom', 'loopback'] }],
      }),
    );
    const events = join(root, 'tests/fixtures/events/core-v1.jsonl');
    const runs = [
      ['validate', '--config', bundleFile],
      ['preview', '--config', bundleFile, '--events', events, '--now', '2026-11-27T10:05:00Z'],
      ['preview', '--config', bundleFile, '--events', events, '--now', '2026-11-27T10:05:00Z', '--batch'],
    ].map((args) =>
      spawnSync(process.execPath, ['bin/kube-wecom.mjs', ...args], {
        cwd: root,
        encoding: 'utf8',
        // The loopback receiver is allowed as the function's environment would allow it; validate checks that.
        env: { ...process.env, KUBE_WECOM_ALLOWED_WEBHOOK_HOSTS: '127.0.0.1:9' },
      }),
    );
    assert.equal(runs[0]!.status, 0, runs[0]!.stderr);
    assert.match(runs[0]!.stderr, /literal WeCom robot key sits in the bundle/);
    assert.ok(runs[1]!.stdout.includes('"body":'), 'preview printed bodies');
    assert.ok(runs[2]!.stdout.split('\n').filter(Boolean).length > 0);
    for (const run of runs) {
      const output = `${run.stdout}${run.stderr}`;
      for (const key of [KEY, ENV_KEY]) assert.ok(!output.includes(key.slice(0, 10)), `${key} in ${output}`);
    }
    assert.ok(readFileSync(bundleFile, 'utf8').includes(KEY), 'the key was in the file all along');
  });
});
