import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatReport, runImportKubeEventer } from '../../../cli/import-kube-eventer/index.ts';
import { validateBundle } from '../../../functions/bundle/index.ts';
import { FIXTURES, importDeployment, importFixtures, sinkFixtures } from './helpers.ts';

const byId = (id: string) => sinkFixtures.filter((sink) => sink.id === id);

describe('import-kube-eventer on every documented sink line', () => {
  const { bundle, report } = importFixtures(sinkFixtures);

  it('reads every line, in order, and writes a valid bundle with one route and receiver per WeCom sink', () => {
    assert.equal(report.sinks.length, sinkFixtures.length);
    assert.deepEqual(validateBundle(bundle).problems, []);
    assert.equal(bundle.$schema, './schema.json');
    assert.equal(bundle.version, 1);
    const imported = report.sinks.filter((sink) => sink.status === 'imported');
    assert.deepEqual(
      bundle.routes.map((route) => route.name),
      imported.map((sink) => sink.route),
    );
    assert.ok(bundle.routes.every((route) => route.stop === undefined && route.receivers.length === 1));
  });

  it('skips non-WeCom webhooks and other sink kinds, each with its reason', () => {
    const reasons = Object.fromEntries(
      report.sinks.filter((s) => s.status === 'skipped').map((s) => [s.source, s.reason ?? '']),
    );
    assert.match(reasons['docs-slack-typical']!, /hooks\.slack\.com, not a WeCom group robot/);
    assert.match(reasons['docs-feishu-v2-typical']!, /open\.feishu\.cn/);
    assert.match(reasons['docs-kafka-sink']!, /^kafka sink/);
    assert.match(reasons['docs-wechat-sink']!, /application-message API/);
    assert.match(reasons['docs-webhook-usage']!, /no host/);
    assert.match(reasons['empty-namespaces']!, /never sent anything/);
  });

  it('never writes a robot key into the bundle, and lists each key once under secrets to store', () => {
    const text = JSON.stringify(bundle);
    for (const secret of report.secrets) {
      if (secret.value.length > 1) assert.equal(text.includes(secret.value), false, secret.env);
    }
    assert.equal(text.includes('633a31f6-7f9c-4bc4-97a0-0ec1eefa5898'), false);
    const k = report.secrets.find((secret) => secret.value === 'K')!;
    assert.equal(k.receivers.length, 4);
    assert.ok(Object.values(bundle.receivers).every((receiver) => /^env:[A-Z_0-9]+$/.test(receiver.webhook)));
    assert.doesNotMatch(formatReport(report).split('Secrets to store')[0]!, /633a31f6-7f9c/);
  });

  it('tells that an absent level means every type in the code, although the docs say Warning', () => {
    const sink = importFixtures(byId('no-level-default-body')).report.sinks[0]!;
    assert.match(
      sink.findings.changed.join('\n'),
      /no level: .*every event type.*docs say the default is Warning/,
    );
    assert.equal(importFixtures(byId('no-level-default-body')).bundle.routes[0]!.match, undefined);
  });

  it('maps a WeCom text body to content, msgtype and mentions, and keeps a news body as a full-body template', () => {
    const receivers = importFixtures([...byId('issue-9-example'), ...byId('unknown-level')]).bundle.receivers;
    assert.deepEqual(receivers['kube-eventer-1'], {
      webhook: 'env:WECOM_KEY_1',
      msgtype: 'text',
      template: 'kube-eventer/ns/body0',
      mentions: { users: ['wangqing'], all: true },
    });
    assert.equal(receivers['kube-eventer-2']!.bodyTemplate, 'kube-eventer/kube-system/news-card');
  });

  it('points out the namespace filter dropping cluster-scoped events (kube-eventer #238)', () => {
    const sink = importFixtures(byId('blog-aliyun-758344-wecom')).report.sinks[0]!;
    assert.match(sink.findings.changed.join('\n'), /cluster-scoped.*#238/);
  });
});

describe('import-kube-eventer from a Deployment manifest', () => {
  const { bundle, report } = importDeployment();

  it('reads --sink=V and --sink V from command and args, skipping the DingTalk sink', () => {
    assert.deepEqual(
      report.sinks.map((sink) => [sink.kind, sink.status]),
      [
        ['webhook', 'imported'],
        ['webhook', 'imported'],
        ['dingtalk', 'skipped'],
      ],
    );
  });

  it('reads keys from Secret-backed environment variables by name, and takes the time zone from TZ', () => {
    assert.equal(bundle.receivers['kube-eventer-1']!.webhook, 'env:WECOM_KEY');
    assert.equal(bundle.receivers['kube-eventer-2']!.webhook, 'env:NODE_ROBOT');
    assert.deepEqual(
      report.secrets.map((secret) => [secret.env, secret.origin]),
      [
        ['WECOM_KEY', 'Secret wecom-robots, key pods'],
        ['NODE_ROBOT', 'Secret wecom-robots, key nodes'],
      ],
    );
    assert.equal(bundle.timezone, 'Asia/Shanghai');
  });
});

describe('kube-wecom import-kube-eventer (the command)', () => {
  const sink = (id: string) => byId(id)[0]!.value;
  const capture = () => {
    let text = '';
    return {
      write: (chunk: string) => (text += chunk),
      get text() {
        return text;
      },
    };
  };

  it('prints the bundle on stdout and the report on stderr without --out', async () => {
    const out = capture();
    const err = capture();
    const code = await runImportKubeEventer(
      { sink: [sink('issue-9-example')], deployment: [], configmap: [join(FIXTURES, 'configmaps.yaml')] },
      out,
      err,
    );
    assert.equal(code, 0);
    assert.equal(validateBundle(JSON.parse(out.text)).problems.length, 0);
    assert.match(err.text, /Secrets to store/);
  });

  it('writes the bundle with --out and prints a JSON report with --json-report', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kw-import-'));
    try {
      const out = capture();
      const target = join(dir, 'config', 'prod.json');
      const code = await runImportKubeEventer(
        {
          sink: [],
          deployment: [join(FIXTURES, 'deployment.yaml')],
          configmap: [join(FIXTURES, 'configmaps.yaml')],
          out: target,
          jsonReport: true,
          cluster: 'prod-sh',
        },
        out,
        capture(),
      );
      assert.equal(code, 0);
      const written = JSON.parse(await readFile(target, 'utf8'));
      assert.deepEqual(Object.keys(written.receivers), ['prod-sh-kube-eventer-1', 'prod-sh-kube-eventer-2']);
      assert.deepEqual(written.routes[0].match.clusters, ['prod-sh']);
      assert.equal(JSON.parse(out.text).sinks.length, 3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 when no sink is given, and 1 when no sink could be imported', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kw-import-'));
    try {
      const empty = join(dir, 'empty.yaml');
      await writeFile(empty, 'kind: ConfigMap\nmetadata: {name: x}\n');
      assert.equal(
        await runImportKubeEventer({ sink: [], deployment: [empty], configmap: [] }, capture(), capture()),
        2,
      );
      assert.equal(
        await runImportKubeEventer(
          { sink: [sink('docs-kafka-sink')], deployment: [], configmap: [] },
          capture(),
          capture(),
        ),
        1,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
