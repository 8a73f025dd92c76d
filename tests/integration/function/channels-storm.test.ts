import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BundleInput } from '../../../functions/bundle/index.ts';
import { startDingtalkEmulator } from '../../../emulators/dingtalk/index.ts';
import type { DingtalkEmulator } from '../../../emulators/dingtalk/index.ts';
import { startFeishuEmulator } from '../../../emulators/feishu/index.ts';
import type { FeishuEmulator } from '../../../emulators/feishu/index.ts';
import { startJsonServer } from '../../../emulators/json-server/index.ts';
import type { EmulatorRequest, JsonServer } from '../../../emulators/json-server/index.ts';
import { startWecomAppEmulator } from '../../../emulators/wecom-app/index.ts';
import type { WecomAppEmulator } from '../../../emulators/wecom-app/index.ts';
import { anEnvelope } from '../../helpers/builders.ts';
import { contentOf, startRig, total } from './rig.ts';
import type { FunctionRig } from './rig.ts';

// One storm, one route to five receivers, one per channel: each robot stays within its platform's limits (the
// emulators refuse anything over them, and DingTalk would block for 10 minutes), and every event is listed by name
// in one message of each channel or counted in its "+N more" summary.

const STORM = 2_000;
const NAMESPACES = ['payments', 'orders'];
const REASONS = ['BackOff', 'Unhealthy'];
const DINGTALK_SECRET = 'SEC-storm-dingtalk-secret';
const FEISHU_SECRET = 'storm-feishu-secret';
const APP = { corpId: 'ww-storm', corpSecret: 'app-secret-storm', agentId: 1000002 };

let rig: FunctionRig | undefined;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
  for (const close of closers.splice(0)) await close();
});

/** Every channel's emulator, and the webhook target's requests. */
async function startChannels(): Promise<{
  dingtalk: DingtalkEmulator;
  feishu: FeishuEmulator;
  app: WecomAppEmulator;
  hook: JsonServer;
  hooked: EmulatorRequest[];
}> {
  const dingtalk = await startDingtalkEmulator({
    robots: [{ token: 'storm', secret: DINGTALK_SECRET, keywords: ['k8s'] }],
  });
  const feishu = await startFeishuEmulator({
    robots: [{ token: 'storm-feishu-token-0001', secret: FEISHU_SECRET }],
  });
  const app = await startWecomAppEmulator({ apps: [APP] });
  const hooked: EmulatorRequest[] = [];
  const hook = await startJsonServer((request) => {
    hooked.push(request);
    return { status: 202, body: { accepted: true } };
  });
  closers.push(
    () => dingtalk.close(),
    () => feishu.close(),
    () => app.close(),
    () => hook.close(),
  );
  return { dingtalk, feishu, app, hook, hooked };
}

/** The names an event text lists (each at most once per message) and the "+N more" a summary counts. */
function tally(texts: readonly string[]): { listed: Map<string, number>; more: number[] } {
  const listed = new Map<string, number>();
  const more: number[] = [];
  for (const text of texts) {
    const summary = /(\d+) more events?/.exec(text);
    if (summary) {
      more.push(Number(summary[1]));
      continue;
    }
    for (const [name] of text.matchAll(/storm-\d{5}/g)) listed.set(name, (listed.get(name) ?? 0) + 1);
  }
  return { listed, more };
}

function assertAccounted(channel: string, texts: readonly string[], budget: number): void {
  assert.ok(texts.length > 0 && texts.length <= budget, `${channel}: ${texts.length} messages`);
  const { listed, more } = tally(texts);
  assert.ok(
    [...listed.values()].every((times) => times === 1),
    `${channel}: no event listed twice`,
  );
  assert.ok(more.length <= 1, `${channel}: at most one summary`);
  assert.equal(listed.size + (more[0] ?? 0), STORM, `${channel}: every event accounted for`);
}

describe('an event storm to every channel at once', () => {
  it('stays within each platform’s limits and accounts for every event on each', async () => {
    const { dingtalk, feishu, app, hook, hooked } = await startChannels();
    const bundle: BundleInput = {
      version: 1,
      receivers: {
        wecom: { webhook: 'env:WECOM_STORM' },
        dingtalk: {
          channel: 'dingtalk',
          webhook: 'env:DINGTALK_STORM',
          secret: 'env:DINGTALK_STORM_SECRET',
          keywords: ['k8s'],
        },
        feishu: {
          channel: 'feishu',
          webhook: 'env:FEISHU_STORM',
          msgtype: 'post',
          secret: 'env:FEISHU_STORM_SECRET',
        },
        app: {
          channel: 'wecom-app',
          webhook: app.url,
          msgtype: 'text',
          corpId: APP.corpId,
          corpSecret: 'env:APP_STORM_SECRET',
          agentId: APP.agentId,
          toUser: ['ops'],
        },
        hook: {
          channel: 'webhook',
          webhook: `${hook.url}/events`,
          allowedHosts: [new URL(hook.url).host],
          headers: { authorization: 'env:HOOK_STORM_TOKEN' },
          body: '{"title":"{{ title }}","text":"{{ text }}"}',
        },
      },
      routes: [
        {
          name: 'all',
          receivers: ['wecom', 'dingtalk', 'feishu', 'app', 'hook'],
          group: { by: ['namespace', 'reason'] },
        },
      ],
    };
    const hosts = [dingtalk.url, feishu.url, app.url, hook.url].map((url) => new URL(url).host);
    rig = await startRig({
      bundle,
      robots: { WECOM_STORM: 'key-storm-all-channels-0001' },
      directDlq: true,
      visibilityTimeoutSeconds: 120,
      allowedHosts: hosts,
      env: {
        DINGTALK_STORM: dingtalk.webhookUrl('storm'),
        DINGTALK_STORM_SECRET: DINGTALK_SECRET,
        FEISHU_STORM: feishu.webhookUrl('storm-feishu-token-0001'),
        FEISHU_STORM_SECRET: FEISHU_SECRET,
        APP_STORM_SECRET: APP.corpSecret,
        HOOK_STORM_TOKEN: 'Bearer storm',
      },
    });
    const offered = Array.from({ length: STORM }, (_, i) =>
      JSON.stringify(
        anEnvelope({
          name: `storm-${String(i).padStart(5, '0')}`,
          namespace: NAMESPACES[i % 2]!,
          reason: REASONS[Math.floor(i / 2) % 2]!,
        }),
      ),
    );

    await rig.send(offered);
    await rig.start({ batchSize: STORM, windowSeconds: 20, functionTimeoutSeconds: 60 });
    await rig.drain(90_000);

    assert.deepEqual(await rig.deadLetters(), []);
    assert.deepEqual(
      rig.invocations.flatMap((invocation) => invocation.outcome.failed),
      [],
    );
    // Each robot's per-minute budget, halved per half minute: one batch gets at most ten slots.
    const BATCH_BUDGET = 10;
    assertAccounted('wecom', rig.delivered('WECOM_STORM').map(contentOf), BATCH_BUDGET);
    assertAccounted(
      'dingtalk',
      dingtalk.messages('storm').map((m) => JSON.stringify(m.body)),
      BATCH_BUDGET,
    );
    assertAccounted(
      'feishu',
      feishu.messages().map((m) => JSON.stringify(m.body)),
      BATCH_BUDGET,
    );
    assertAccounted(
      'wecom-app',
      app.messages().map((m) => m.content),
      BATCH_BUDGET,
    );
    assertAccounted(
      'webhook',
      hooked.map((request) => (JSON.parse(request.body) as { text: string }).text),
      BATCH_BUDGET,
    );

    // Nothing was refused: signatures, keywords, sizes and rates all held.
    for (const request of [...dingtalk.requests(), ...feishu.requests()])
      assert.equal(request.code, 0, JSON.stringify(request));
    assert.ok(hooked.every((request) => request.headers.authorization === 'Bearer storm'));
    assert.equal(
      total(rig.stats, (s) => s.events),
      STORM,
    );
  });
});
