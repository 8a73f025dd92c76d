import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import axios from 'axios';
import { loadCheckedBundle } from '../../functions/bundle/index.ts';
import { makeEnvelope, normalizeEvent } from '../../contracts/index.ts';
import type { KubeEvent } from '../../contracts/index.ts';
import { compileRules } from '../../functions/rules/index.ts';
import type { Bundle } from '../../functions/bundle/index.ts';
import { INCIDENT } from '../../local/incident/index.ts';
import type { IncidentEvent } from '../../local/incident/index.ts';
import type { LocalStats, PreviewMessage, PreviewMessagesResponse } from '../../local/preview-page/index.ts';
import { DEFAULT_BUNDLE } from '../../cli/commands/bundle-argument.ts';
import { ClusterUnreachableError, chooseEventSource, startLocalPipeline } from '../../local/start/index.ts';
import type { LocalPipeline } from '../../local/start/index.ts';
import { rfc3339, startFakeApiServer, toCoreV1 } from '../../emulators/kube-apiserver/index.ts';
import type { FakeApiServer } from '../../emulators/kube-apiserver/index.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { launchChromium, screenshotPath } from '../harness/chromium/index.ts';

// `npm start` end to end, in this process: the bundled incident through the fake API server, the forwarder, fauxqs,
// the event source mapping and the real handler, to the WeCom emulator; then what the preview page's JSON API shows
// is checked against what the rules engine says about every Event of the incident.

const SPEED = 4;
const CLUSTER = 'demo-sh';
const MINUTE = 60_000;
const ROBOT_LIMIT = 20;

/** One Event of the incident with every state it passes through, as the forwarder (watching core/v1) sees it. */
interface History {
  object: string;
  reason: string;
  type: string;
  states: KubeEvent[];
}

function histories(): Map<string, History> {
  const byKey = new Map<string, History>();
  const current = new Map<string, Record<string, unknown>>();
  const stateOf = (event: IncidentEvent, count: number): KubeEvent => {
    const base = current.get(event.key)!;
    const at = '2026-11-27T10:00:00Z';
    const core =
      event.api === 'core'
        ? { ...base, count, firstTimestamp: at, lastTimestamp: at }
        : toCoreV1({
            ...(base as IncidentEvent['object']),
            eventTime: '2026-11-27T10:00:00.000000Z',
            ...(count > 1 ? { series: { count, lastObservedTime: '2026-11-27T10:00:00.000000Z' } } : {}),
          });
    return core as unknown as KubeEvent;
  };
  const events = new Map<string, IncidentEvent>();
  for (const step of INCIDENT.steps) {
    if (step.kind === 'create') {
      const { event } = step;
      events.set(event.key, event);
      current.set(event.key, event.object);
      const about = (event.object.involvedObject ?? event.object.regarding) as {
        name: string;
        namespace?: string;
      };
      byKey.set(event.key, {
        object: about.namespace ? `${about.namespace}/${about.name}` : about.name,
        reason: String(event.object.reason),
        type: String(event.object.type),
        states: [stateOf(event, 1)],
      });
    } else {
      const history = byKey.get(step.key)!;
      history.states.push(stateOf(events.get(step.key)!, history.states.length + 1));
    }
  }
  return byKey;
}

/**
 * What the rules promise for the incident, whatever the batching: an Event one of whose updates notifies on its own
 * is in a message of each receiver it reaches (a batch collapses updates to the latest, which then notifies too);
 * a silenced Event is in no message at all.
 */
function expectations(bundle: Bundle) {
  const engine = compileRules(bundle);
  const namespaces = new Map(INCIDENT.namespaces.map((ns) => [ns.name, ns]));
  const mustAppear: { receiver: string; object: string; reason: string; type: string }[] = [];
  const silenced: { object: string; reason: string }[] = [];
  for (const history of histories().values()) {
    const receivers = new Set<string>();
    let wasSilenced = false;
    history.states.forEach((state, i) => {
      const involved = (state as { involvedObject?: { namespace?: string } }).involvedObject;
      const ns = involved?.namespace ? namespaces.get(involved.namespace) : undefined;
      const envelope = makeEnvelope({
        cluster: CLUSTER,
        watchType: i === 0 ? 'ADDED' : 'MODIFIED',
        observedAt: '2026-11-27T10:00:00.000Z',
        event: state,
        ...(ns ? { namespace: { labels: ns.labels, annotations: ns.annotations } } : {}),
      });
      const decision = engine.evaluate(normalizeEvent(envelope), Date.now());
      for (const delivery of decision.deliveries) receivers.add(delivery.receiver);
      if (decision.suppressedBy?.reason === 'silence') wasSilenced = true;
    });
    for (const receiver of receivers) mustAppear.push({ receiver, ...history });
    if (wasSilenced) silenced.push(history);
  }
  return { mustAppear, silenced };
}

function mentions(message: PreviewMessage, text: { object: string; reason: string }): boolean {
  return (message.content ?? '').includes(text.object) && (message.content ?? '').includes(text.reason);
}

describe('npm start: the local pipeline replaying the bundled incident', () => {
  let pipeline: LocalPipeline;
  let bundle: Bundle;
  let messages: PreviewMessage[];
  let receivers: string[];
  let stats: LocalStats;
  let checkpoint: { data?: { resourceVersion?: string } } | undefined;
  const log: string[] = [];

  before(async () => {
    ({ bundle } = await loadCheckedBundle(DEFAULT_BUNDLE));
    pipeline = await startLocalPipeline({
      bundle,
      source: { kind: 'incident' },
      port: 0,
      speed: SPEED,
      log: (line) => void log.push(line),
    });
    await pipeline.drained();
    ({ messages, receivers } = (
      await axios.get<PreviewMessagesResponse>(`${pipeline.url}api/messages`)
    ).data);
    stats = (await axios.get<LocalStats>(`${pipeline.url}api/stats`)).data;
    // The forwarder checkpoints every 5 s; the replay outlasts that.
    checkpoint = (
      await axios.get(
        `${pipeline.apiServer}/api/v1/namespaces/kube-wecom/configmaps/kube-wecom-forwarder-checkpoint`,
      )
    ).data as typeof checkpoint;
  });

  after(async () => {
    await pipeline?.stop();
  });

  it('shows one column per receiver of config/local.json, and messages in every one', () => {
    assert.deepEqual(receivers, Object.keys(bundle.receivers));
    for (const receiver of receivers)
      assert.ok(
        messages.some((m) => m.receiver === receiver),
        `no message for ${receiver}; log:\n${log.join('\n')}`,
      );
  });

  it('accounts for every Event the local rules route: each is in a message of every receiver it reaches', () => {
    const { mustAppear } = expectations(bundle);
    assert.ok(mustAppear.filter((e) => e.type === 'Warning').length >= 20, 'the incident routes Warnings');
    const missing = mustAppear.filter(
      (expected) => !messages.some((m) => m.receiver === expected.receiver && mentions(m, expected)),
    );
    assert.deepEqual(missing, []);
  });

  it('delivers nothing that a silence covers', () => {
    const { silenced } = expectations(bundle);
    assert.ok(silenced.length > 0, 'the incident has a silenced Event');
    for (const event of silenced)
      assert.deepEqual(
        messages.filter((m) => mentions(m, event)).map((m) => m.content),
        [],
        `${event.object} ${event.reason}`,
      );
    assert.ok((stats.suppressed.silence ?? 0) > 0);
  });

  it('@-mentions namespace owners from their annotation, in text and in markdown', () => {
    const payments = messages.filter((m) => m.receiver === 'payments-team');
    assert.ok(payments.length > 0);
    for (const message of payments) {
      assert.equal(message.msgtype, 'text');
      // A digest split into parts @-mentions on its first part only (docs/templates.md), so a group is paged once.
      const part = /\((\d+)\/\d+\)/.exec(message.content ?? '')?.[1];
      assert.deepEqual(
        message.mentionedList,
        part === undefined || part === '1' ? ['wangqing', 'liuyang'] : [],
      );
    }
    const owners = messages.filter((m) => m.receiver === 'app-owners').map((m) => m.content ?? '');
    assert.ok(owners.some((content) => content.includes('<@zhaolei>')));
    assert.ok(
      owners.every((content) => !content.includes('<@wangqing>')),
      'payments has its own group',
    );
  });

  it('keeps every message within its byte limit (text 2048, markdown 4096, or the receiver’s maxBytes)', () => {
    for (const message of messages) {
      const receiver = bundle.receivers[message.receiver ?? '']!;
      const limit = Math.min(message.limit!, receiver.maxBytes ?? Infinity);
      assert.ok(
        message.bytes <= limit,
        `${message.receiver} #${message.seq}: ${message.bytes} > ${limit} bytes`,
      );
    }
  });

  it('never sends a robot more than 20 messages in any 60 s window', () => {
    for (const receiver of receivers) {
      const times = messages
        .filter((m) => m.receiver === receiver)
        .map((m) => m.receivedAt)
        .sort((a, b) => a - b);
      times.forEach((start, i) => {
        const inWindow = times.slice(i).filter((t) => t < start + MINUTE).length;
        assert.ok(inWindow <= ROBOT_LIMIT, `${receiver}: ${inWindow} messages within a minute`);
      });
    }
  });

  it('queues every watched Event, counts what it sends, and leaves the DLQ empty', () => {
    assert.equal(stats.eventsWatched, INCIDENT.steps.length);
    assert.equal(stats.queued, INCIDENT.steps.length);
    assert.equal(stats.messagesSent, messages.length);
    assert.ok(stats.notified > 0);
    assert.equal(stats.rateLimited, 0);
    assert.equal(stats.dlqDepth, 0);
  });

  it('renders the pipeline’s messages in Chromium, four robot columns, and takes the README screenshot', async () => {
    const context = await launchChromium({ width: 1840, height: 1060 });
    try {
      const tab = context.pages()[0] ?? (await context.newPage());
      await tab.goto(pipeline.url);
      await tab.locator('#status[data-mode="live"]').waitFor();
      const columns = await tab
        .locator('.column')
        .evaluateAll((cols) => cols.map((c) => c.getAttribute('data-receiver')));
      assert.deepEqual(columns, receivers);
      assert.ok((await tab.locator('.mention', { hasText: '@zhaolei' }).count()) > 0);
      const path = screenshotPath('npm-start.png');
      await tab.screenshot(path ? { path } : {});
    } finally {
      await context.close();
    }
  });

  it('checkpoints the forwarder in a ConfigMap of the fake API server, as it does in a cluster', () => {
    assert.match(checkpoint?.data?.resourceVersion ?? '', /^\d+$/);
  });
});

describe('kube-wecom start --once', () => {
  it('replays a file through the pipeline, prints each stage and the page, and exits 0 when drained', async () => {
    const bin = fileURLToPath(new URL('../../bin/kube-wecom.mjs', import.meta.url));
    const events = fileURLToPath(new URL('../fixtures/events/core-v1.jsonl', import.meta.url));
    const child = spawn(
      process.execPath,
      [bin, 'start', '--once', '--port', '0', '--speed', '10', '--events', events],
      { env: { ...process.env, KUBECONFIG: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, out);
    for (const stage of ['source', 'forwarder', 'queue', 'function', 'wecom', 'open'])
      assert.match(out, new RegExp(`^  ${stage} +\\S`, 'm'), `no "${stage}" line in:\n${out}`);
    assert.match(out, /^ {2}open {7}http:\/\/127\.0\.0\.1:\d+\/$/m);
    assert.match(out, /replay finished: \d+ Event writes/);
    assert.match(out, /^done: .* DLQ 0$/m);

    // Two runs can batch differently, so the summary says which figures are fixed and prints the command whose
    // figures never move; its count of events equals what this run watched and queued.
    assert.match(out, /can differ by a few between runs/);
    const command = /Figures that do not depend on timing: npx kube-wecom report (\S+) --events (\S+)$/m.exec(
      out,
    );
    assert.ok(command, out);
    assert.equal(command[2], events);
    const report = spawnSync(
      process.execPath,
      [bin, 'report', command[1]!, '--events', command[2]!, '--json'],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(report.status, 0, report.stderr);
    const { totals } = JSON.parse(report.stdout) as { totals: { events: number } };
    const [, watched, queued] = /^done: (\d+) events watched · (\d+) queued/m.exec(out)!;
    assert.deepEqual([Number(watched), Number(queued)], [totals.events, totals.events]);
  });
});

describe('start against a cluster (the fake API server standing in for one)', () => {
  let fake: FakeApiServer;
  let dir: string;
  let kubeconfig: string;

  before(async () => {
    fake = await startFakeApiServer();
    dir = mkdtempSync(join(tmpdir(), 'kube-wecom-start-'));
    kubeconfig = join(dir, 'config');
    writeFileSync(kubeconfig, fake.kubeconfig());
  });

  after(async () => {
    await fake?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('picks --events first, then a kubeconfig whose cluster answers, else the incident, saying why', async () => {
    const home = join(dir, 'home-without-kube');
    const env = { KUBECONFIG: kubeconfig };
    assert.deepEqual(await chooseEventSource({ events: 'x.json', cluster: true, env, home }), {
      source: { kind: 'file', path: 'x.json' },
    });
    const found = await chooseEventSource({ cluster: true, env, home });
    assert.equal(found.source.kind, 'cluster');
    assert.equal(found.source.kind === 'cluster' && found.source.server, fake.url);
    const none = await chooseEventSource({ cluster: true, env: {}, home });
    assert.equal(none.source.kind, 'incident');
    assert.match(none.reason!, /no kubeconfig/);
    assert.equal((await chooseEventSource({ cluster: false, env, home })).source.kind, 'incident');
  });

  it('falls back to the incident when KUBECONFIG does not answer, but refuses an explicit --kubeconfig', async () => {
    const dead = await startFakeApiServer();
    const deadConfig = join(dir, 'dead');
    writeFileSync(deadConfig, dead.kubeconfig());
    await dead.close();
    const choice = await chooseEventSource({ cluster: true, env: { KUBECONFIG: deadConfig }, home: dir });
    assert.equal(choice.source.kind, 'incident');
    assert.match(choice.reason!, /did not answer/);
    await assert.rejects(
      chooseEventSource({ kubeconfig: deadConfig, cluster: true, env: {}, home: dir }),
      ClusterUnreachableError,
    );
  });

  it('shows recent and live Events of the cluster and writes nothing into it', async () => {
    const { bundle } = await loadCheckedBundle(DEFAULT_BUNDLE);
    fake.upsertNamespace('checkout', { tier: 'prod' }, { 'kube-wecom/owners': 'zhaolei' });
    const warning = (name: string, at: Date) =>
      fake.createEvent({
        namespace: 'checkout',
        name: `${name}.17c3a9e25b4d0001`,
        type: 'Warning',
        reason: 'BackOff',
        message: 'Back-off restarting failed container web',
        involvedObject: { kind: 'Pod', namespace: 'checkout', name, apiVersion: 'v1' },
        firstTimestamp: rfc3339(at),
        lastTimestamp: rfc3339(at),
      });
    warning('web-old', new Date(Date.now() - 3_600_000));
    warning('web-recent', new Date(Date.now() - 60_000));
    const choice = await chooseEventSource({ kubeconfig, cluster: true, env: {} });
    const pipeline = await startLocalPipeline({ bundle, source: choice.source, port: 0 });
    try {
      warning('web-live', new Date());
      const contents = async () =>
        (await axios.get<PreviewMessagesResponse>(`${pipeline.url}api/messages`)).data.messages
          .map((m) => m.content ?? '')
          .join('\n');
      await waitFor(
        'the live Event on the page',
        async () => (await contents()).includes('checkout/web-live'),
        15_000,
      );
      const shown = await contents();
      assert.match(shown, /checkout\/web-recent/);
      assert.doesNotMatch(shown, /checkout\/web-old/, 'older than the 10 minutes a first start lists');
      assert.match(shown, /<@zhaolei>/);
    } finally {
      await pipeline.stop();
    }
    const writes = fake.requests.filter((r) => r.method !== 'GET');
    assert.deepEqual(writes, [], 'no checkpoint ConfigMap, no Lease');
  });
});
