import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runSendTest } from '../../../cli/commands/send-test.ts';
import { startDingtalkEmulator, type DingtalkEmulator } from '../../../emulators/dingtalk/index.ts';
import { startFeishuEmulator, type FeishuEmulator } from '../../../emulators/feishu/index.ts';
import { startWecomAppEmulator, type WecomAppEmulator } from '../../../emulators/wecom-app/index.ts';
import { startJsonServer, type JsonServer } from '../../../emulators/json-server/index.ts';

// `send-test` on every channel: the test message is built, signed and sent through the function's own delivery.

const DT_SECRET = 'SEC-send-test';
const APP = { corpId: 'ww-send-test', corpSecret: 'app-secret', agentId: 1000002 };
let dingtalk: DingtalkEmulator;
let feishu: FeishuEmulator;
let app: WecomAppEmulator;
let hook: JsonServer;
let hooked = 0;
let dir: string;
let config: string;
let env: NodeJS.ProcessEnv;

before(async () => {
  dingtalk = await startDingtalkEmulator({ robots: [{ token: 'dt', secret: DT_SECRET, keywords: ['k8s'] }] });
  feishu = await startFeishuEmulator({ robots: [{ token: 'feishu-send-test-0001' }] });
  app = await startWecomAppEmulator({ apps: [APP] });
  hook = await startJsonServer(() => ({ status: ++hooked > 1 ? 503 : 200, body: {} }));
  dir = await mkdtemp(join(tmpdir(), 'send-test-channels-'));
  config = join(dir, 'bundle.json');
  const hookHost = new URL(hook.url).host;
  await writeFile(
    config,
    JSON.stringify({
      version: 1,
      receivers: {
        dt: { channel: 'dingtalk', webhook: 'env:DT', secret: 'env:DT_SECRET', keywords: ['k8s'] },
        badSign: { channel: 'dingtalk', webhook: 'env:DT', secret: 'env:WRONG_SECRET' },
        fs: { channel: 'feishu', webhook: 'env:FS', msgtype: 'post' },
        app: { channel: 'wecom-app', webhook: app.url, ...APP, corpSecret: 'env:APP_SECRET' },
        hook: {
          channel: 'webhook',
          webhook: `${hook.url}/x`,
          allowedHosts: [hookHost],
          body: '{"t":"{{ text }}"}',
        },
      },
      routes: [{ name: 'all', receivers: ['dt', 'badSign', 'fs', 'app', 'hook'] }],
    }),
  );
  env = {
    DT: dingtalk.webhookUrl('dt'),
    DT_SECRET,
    WRONG_SECRET: 'SEC-wrong',
    FS: feishu.webhookUrl('feishu-send-test-0001'),
    APP_SECRET: APP.corpSecret,
    KUBE_WECOM_ALLOWED_WEBHOOK_HOSTS: [dingtalk.url, feishu.url, app.url]
      .map((u) => new URL(u).host)
      .join(','),
  };
});
after(async () => {
  await Promise.all([dingtalk.close(), feishu.close(), app.close(), hook.close()]);
  await rm(dir, { recursive: true, force: true });
});

async function sendTest(receiver: string) {
  let stdout = '';
  const code = await runSendTest(
    { config, receiver, timeout: '10', message: 'hello "team" @all' },
    { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => undefined }, env },
  );
  assert.ok(!stdout.includes(DT_SECRET) && !stdout.includes('access_token=dt'), stdout);
  return { code, stdout };
}

describe('send-test on the other channels', () => {
  it('delivers a signed DingTalk message with its keyword, and says so', async () => {
    const { code, stdout } = await sendTest('dt');
    assert.equal(code, 0, stdout);
    assert.match(stdout, /dingtalk accepted the message/);
    assert.match(JSON.stringify(dingtalk.messages('dt')[0]!.body), /k8s/);
  });

  it('explains a DingTalk signature the robot refuses, and exits 1', async () => {
    const { code, stdout } = await sendTest('badSign');
    assert.equal(code, 1);
    assert.match(stdout, /310000/);
  });

  it('delivers to Feishu, a WeCom application and a generic webhook', async () => {
    for (const receiver of ['fs', 'app', 'hook']) {
      const { code, stdout } = await sendTest(receiver);
      assert.equal(code, 0, `${receiver}: ${stdout}`);
    }
    assert.equal(feishu.messages().length, 1);
    assert.equal(app.messages().length, 1);
  });

  it('says when a failure is worth trying again', async () => {
    const { code, stdout } = await sendTest('hook');
    assert.equal(code, 1);
    assert.match(stdout, /transient/);
  });
});
