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

  it('skips sink kinds that are not chat, and lines without a host, each with its reason', () => {
    const reasons = Object.fromEntries(
      report.sinks.filter((s) => s.status === 'skipped').map((s) => [s.source, s.reason ?? '']),
    );
    assert.match(reasons['docs-kafka-sink']!, /^kafka sink/);
    assert.match(reasons['docs-webhook-usage']!, /no host/);
    assert.match(reasons['empty-namespaces']!, /never sent anything/);
    const imported = new Set(report.sinks.filter((s) => s.status === 'imported').map((s) => s.source));
    for (const id of [
      'docs-slack-typical',
      'docs-feishu-v2-typical',
      'docs-dingtalk-sink',
      'docs-wechat-sink',
    ])
      assert.ok(imported.has(id), id);
  });

  it('never writes a robot key into the bundle, and lists each key once under secrets to store', () => {
    const text = JSON.stringify(bundle);
    for (const secret of report.secrets) {
      if (secret.value.length > 1) assert.equal(text.includes(secret.value), false, secret.env);
    }
    assert.equal(text.includes('633a31f6-7f9c-4bc4-97a0-0ec1eefa5898'), false);
    const k = report.secrets.find((secret) => secret.value === 'K')!;
    assert.equal(k.receivers.length, 4);
    // A WeCom application's endpoint is WeCom's API, which holds no secret; its corp secret is a reference.
    const secretHolders = Object.values(bundle.receivers).filter(
      (receiver) => receiver.channel !== 'wecom-app',
    );
    assert.ok(secretHolders.every((receiver) => /^env:[A-Z_0-9]+$/.test(receiver.webhook)));
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

  it('reads --sink=V and --sink V from command and args, the DingTalk sink too', () => {
    assert.deepEqual(
      report.sinks.map((sink) => [sink.kind, sink.status]),
      [
        ['webhook', 'imported'],
        ['webhook', 'imported'],
        ['dingtalk', 'imported'],
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
        [
          'DINGTALK_URL_3',
          'deployment.yaml: Deployment kube-system/kube-eventer, container kube-eventer, argument 6',
        ],
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
      assert.deepEqual(Object.keys(written.receivers), [
        'prod-sh-kube-eventer-1',
        'prod-sh-kube-eventer-2',
        'prod-sh-kube-eventer-3',
      ]);
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

describe('import-kube-eventer on the other chat sinks', () => {
  const { bundle, report } = importFixtures([
    ...byId('docs-dingtalk-sink'),
    ...byId('docs-wechat-sink'),
    ...byId('docs-slack-typical'),
  ]);
  const [dingtalk, wechat, slack] = ['kube-eventer-1', 'kube-eventer-2', 'kube-eventer-3'].map(
    (name) => bundle.receivers[name]!,
  );

  it('writes a valid bundle that holds no secret of any of them', () => {
    assert.deepEqual(validateBundle(bundle).problems, []);
    const text = JSON.stringify(bundle);
    for (const secret of report.secrets) assert.equal(text.includes(secret.value), false, secret.env);
    assert.ok(report.secrets.length >= 3);
  });

  it('imports a dingtalk: line as a DingTalk receiver, with its level, msgtype, label and signing secret', () => {
    assert.equal(dingtalk!.channel, 'dingtalk');
    assert.match(dingtalk!.webhook, /^env:DINGTALK_URL_\d+$/);
    assert.match(dingtalk!.secret ?? '', /^env:DINGTALK_SECRET_\d+$/);
    assert.ok(report.secrets.some((secret) => secret.value.startsWith('SEC4801ebab0')));
    const route = bundle.routes.find((r) => r.receivers[0] === 'kube-eventer-1')!;
    assert.equal(route.match?.level, 'Normal');
    assert.match(report.sinks[0]!.findings.changed.join('\n'), /label=/);
  });

  it('imports a wechat: line as a WeCom application receiver, with its corp secret as a reference', () => {
    assert.equal(wechat!.channel, 'wecom-app');
    assert.equal(wechat!.corpId, 'a5c19f3e02feba7bd5dfc22bfb');
    assert.equal(wechat!.agentId, 1000012);
    assert.deepEqual(wechat!.toUser, ['zhangshan', 'xiaowang']);
    assert.match(wechat!.corpSecret ?? '', /^env:WECOM_APP_SECRET_\d+$/);
    assert.ok(report.secrets.some((secret) => secret.value === 'a212359acfe86fd80eb1591870'));
  });

  it('imports a webhook: line to another host as a generic webhook allowed only that host', () => {
    assert.equal(slack!.channel, 'webhook');
    assert.deepEqual(slack!.allowedHosts, ['hooks.slack.com']);
    assert.match(slack!.webhook, /^env:WEBHOOK_URL_\d+$/);
    assert.ok(report.secrets.some((secret) => secret.value.startsWith('https://hooks.slack.com/services/')));
    assert.match(slack!.body ?? '', /\{\{ ?\./);
  });
});
