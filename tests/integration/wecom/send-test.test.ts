import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { runSendTest } from '../../../cli/commands/send-test.ts';
import { startWecomEmulator, type WecomEmulator } from '../../../emulators/wecom/index.ts';

const KEY = '5e3d7c1a-0000-4bc4-97a0-0ec2aaaa4321';
const root = new URL('../../../', import.meta.url).pathname;

let emulator: WecomEmulator;
let dir: string;
let config: string;

before(async () => {
  emulator = await startWecomEmulator({ keys: [KEY] });
  dir = await mkdtemp(join(tmpdir(), 'send-test-'));
  config = join(dir, 'bundle.json');
  await writeFile(
    config,
    JSON.stringify({
      version: 1,
      receivers: {
        ops: { webhook: 'env:OPS_ROBOT', msgtype: 'markdown' },
        chat: { webhook: 'env:CHAT_ROBOT', msgtype: 'text' },
        vault: { webhook: 'ssm:/kube-wecom/test/webhooks/vault', msgtype: 'markdown' },
      },
      routes: [{ name: 'all', receivers: ['ops', 'chat', 'vault'] }],
    }),
  );
});
after(async () => {
  await emulator.stop();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => emulator.reset());

async function sendTest(receiver: string, extra: { message?: string; env?: NodeJS.ProcessEnv } = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runSendTest(
    { config, receiver, timeout: '10', ...(extra.message ? { message: extra.message } : {}) },
    {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
      env: extra.env ?? {
        OPS_ROBOT: emulator.webhookUrl(KEY),
        CHAT_ROBOT: emulator.webhookUrl(KEY),
        KUBE_WECOM_ALLOWED_WEBHOOK_HOSTS: `127.0.0.1:${emulator.port}`,
      },
    },
  );
  assert.ok(!`${stdout}${stderr}`.includes(KEY), 'the webhook key was printed');
  return { code, stdout, stderr };
}

/**
 * `send-test` to the ssm: receiver as a newcomer runs it: no AWS variables, no ~/.aws, no instance metadata, and
 * the SDK's Node notice left as the user's environment has it (the test runner switches it off).
 */
function sendTestWithoutAws(extraEnv: NodeJS.ProcessEnv) {
  const home = join(dir, 'home');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extraEnv,
  };
  const result = spawnSync(
    process.execPath,
    ['bin/kube-wecom.mjs', 'send-test', config, '--receiver', 'vault'],
    {
      cwd: root,
      env,
      encoding: 'utf8',
    },
  );
  assert.doesNotMatch(result.stderr, /NodeVersionSupportWarning/);
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** On Node before 22 the SDK's 9-line notice becomes one line that says what to do; from 22 on there is none. */
function assertOneLineNodeNotice(stderr: string): void {
  const expected = Number(process.versions.node.split('.')[0]) < 22 ? 1 : 0;
  const lines = stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, expected, stderr);
  if (expected)
    assert.match(lines[0]!, /^note: AWS SDK releases after January 2027 need Node 22 or later.*upgrade Node/);
}

describe('kube-wecom send-test', () => {
  it('sends one message in the receiver’s msgtype and prints errcode 0 explained', async () => {
    const { code, stdout } = await sendTest('ops');
    assert.equal(code, 0);
    assert.match(stdout, /key=\*\*\*\*4321/);
    assert.match(
      stdout,
      /WeCom answered errcode 0: ok \(after 1 attempt\(s\)\)\n {2}meaning: ok: the message was accepted/,
    );
    const [message] = emulator.messages(KEY);
    assert.equal(message!.msgtype, 'markdown');
    assert.match(
      String(message!.payload.content),
      /^kube-wecom test message for receiver "ops" from .+ at \d{4}-/,
    );
  });

  it('sends the given text as a text message', async () => {
    assert.equal((await sendTest('chat', { message: '测试 hello' })).code, 0);
    assert.deepEqual(emulator.messages(KEY)[0]!.body, { msgtype: 'text', text: { content: '测试 hello' } });
  });

  it('explains a permanent errcode and what to do, exiting 1', async () => {
    emulator.inject({ kind: 'revoke', key: KEY });
    const { code, stdout } = await sendTest('ops');
    assert.equal(code, 1);
    assert.match(stdout, /WeCom answered errcode 93000: invalid webhook url, hint: \[\d{25}\]/);
    assert.match(stdout, /meaning: invalid webhook URL.*\n {2}what to do: copy the webhook key again/);
  });

  it('says when a failure is transient', async () => {
    emulator.inject({ kind: 'errcode', errcode: 45009 });
    const { code, stdout, stderr } = await sendTest('ops', {
      env: {
        OPS_ROBOT: emulator.webhookUrl(KEY),
        KUBE_WECOM_ALLOWED_WEBHOOK_HOSTS: `127.0.0.1:${emulator.port}`,
      },
    });
    assert.equal(code, 1);
    assert.match(stdout, /errcode 45009: api freq out of limit.*\n {2}meaning: rate limited/);
    assert.match(stdout, /transient/);
    assert.match(stderr, /robot blocked/);
  });

  it('refuses a host that is not allow-listed and sends nothing', async () => {
    const { code, stdout } = await sendTest('ops', { env: { OPS_ROBOT: emulator.webhookUrl(KEY) } });
    assert.equal(code, 1);
    assert.match(stdout, /not allowed.*KUBE_WECOM_ALLOWED_WEBHOOK_HOSTS/);
    assert.equal(emulator.requests().length, 0);
  });

  it('names the receivers when the one asked for does not exist', async () => {
    const { code, stderr } = await sendTest('nobody');
    assert.equal(code, 1);
    assert.match(stderr, /no receiver "nobody" .*receivers: ops, chat, vault/);
  });

  it('names the variable to export when an env: webhook is unset', async () => {
    const { code, stdout } = await sendTest('ops', { env: {} });
    assert.equal(code, 1);
    assert.match(
      stdout,
      /environment variable OPS_ROBOT is not set or empty\n {2}what to do: export OPS_ROBOT=<robot key>/,
    );
    assert.doesNotMatch(stdout, /transient/);
  });

  it('without an AWS region, says to set one or to use env:, never that it is transient', () => {
    const { code, stdout, stderr } = sendTestWithoutAws({});
    assert.equal(code, 1);
    assert.match(stdout, /ssm:\/kube-wecom\/test\/webhooks\/vault: no AWS region is configured/);
    assert.match(stdout, /what to do: set the region .*export AWS_REGION=/);
    assert.match(
      stdout,
      /what to do: to test without AWS, set the receiver's webhook to "env:WECOM_ROBOT_KEY"/,
    );
    assert.doesNotMatch(stdout, /transient/);
    assertOneLineNodeNotice(stderr);
  });

  it('without AWS credentials, says how to provide them, never that it is transient', () => {
    const { code, stdout, stderr } = sendTestWithoutAws({ AWS_REGION: 'ap-southeast-1' });
    assert.equal(code, 1);
    assert.match(stdout, /no AWS credentials found/);
    assert.match(stdout, /what to do: give the AWS SDK credentials: export AWS_PROFILE=/);
    assert.doesNotMatch(stdout, /transient/);
    assertOneLineNodeNotice(stderr);
  });

  it('leaves the Node notice out when AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true', () => {
    const { stderr } = sendTestWithoutAws({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
    assert.equal(stderr, '');
  });

  it('runs from the command line', async () => {
    const run = promisify(execFile);
    const { stdout } = await run(
      process.execPath,
      [
        'bin/kube-wecom.mjs',
        'send-test',
        '--config',
        config,
        '--receiver',
        'ops',
        '--message',
        'from the CLI',
      ],
      {
        cwd: root,
        env: {
          ...process.env,
          OPS_ROBOT: emulator.webhookUrl(KEY),
          KUBE_WECOM_ALLOWED_WEBHOOK_HOSTS: `127.0.0.1:${emulator.port}`,
        },
      },
    );
    assert.match(stdout, /errcode 0/);
    assert.equal(emulator.messages(KEY)[0]!.payload.content, 'from the CLI');
  });
});
