import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import axios, { type CreateAxiosDefaults } from 'axios';
import type { Logger } from '../../../functions/ports.ts';
import {
  WecomClient,
  WecomDeadlineError,
  WecomHttpError,
  WecomRejectedError,
  WecomResponseTimeoutError,
  WecomRetriesExhaustedError,
  WecomRobotUnavailableError,
  WecomWebhookError,
  type WecomClientOptions,
} from '../../../functions/channels/wecom/index.ts';
import {
  createManualClock,
  startWecomEmulator,
  type ManualClock,
  type WecomEmulator,
} from '../../../emulators/wecom/index.ts';

const KEY = 'c0ffee00-1234-4bc4-97a0-0ec2aaaa9876';
const TEXT = { msgtype: 'text', text: { content: 'Pod api-7d9 OOMKilled' } };

let emulator: WecomEmulator;
let clock: ManualClock;
let logLines: { level: string; fields: object; msg: string }[];

before(async () => {
  emulator = await startWecomEmulator({ keys: [KEY], clock: () => clock.now() });
});
after(() => emulator.stop());
beforeEach(() => {
  emulator.reset();
  clock = createManualClock();
  logLines = [];
});

function capturingLogger(): Logger {
  const at =
    (level: string) =>
    (msg: string, fields: object = {}) =>
      void logLines.push({ level, fields, msg });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function client(options: WecomClientOptions = {}): WecomClient {
  return new WecomClient({
    clock: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    allowedHosts: [`127.0.0.1:${emulator.port}`],
    logger: capturingLogger(),
    ...options,
  });
}

const inAMinute = () => ({ deadline: clock.now() + 10 * 60_000 });

describe('WecomClient against the emulator', () => {
  it('delivers a message in one attempt when WeCom answers errcode 0', async () => {
    const result = await client().send(emulator.webhookUrl(KEY), TEXT, inAMinute());
    assert.deepEqual(result, { attempts: 1, errcode: 0, errmsg: 'ok' });
    assert.deepEqual(
      emulator.messages(KEY).map((m) => m.body),
      [TEXT],
    );
  });

  for (const [name, errcode, Type, setup] of [
    [
      'unknown key',
      93000,
      WecomRobotUnavailableError,
      (e: WecomEmulator) => e.inject({ kind: 'revoke', key: KEY }),
    ],
    [
      'robot disabled',
      93004,
      WecomRobotUnavailableError,
      (e: WecomEmulator) => e.inject({ kind: 'errcode', errcode: 93004 }),
    ],
    [
      'robot not in group',
      93008,
      WecomRobotUnavailableError,
      (e: WecomEmulator) => e.inject({ kind: 'errcode', errcode: 93008 }),
    ],
    [
      'unknown errcode',
      48002,
      WecomRejectedError,
      (e: WecomEmulator) => e.inject({ kind: 'errcode', errcode: 48002 }),
    ],
  ] as const) {
    it(`fails at once with ${Type.name} on errcode ${errcode} (${name})`, async () => {
      setup(emulator);
      const err = await client()
        .send(emulator.webhookUrl(KEY), TEXT, inAMinute())
        .catch((e: unknown) => e);
      assert.ok(err instanceof Type, String(err));
      assertPermanent(err, errcode);
    });
  }

  for (const [errcode, body] of [
    [40008, { msg_type: 'text', text: { content: 'x' } }],
    [44004, { msgtype: 'text', text: { content: '' } }],
    [40058, { msgtype: 'markdown', markdown: { content: 'x'.repeat(4097) } }],
  ] as const) {
    it(`fails at once with WecomRejectedError on errcode ${errcode}`, async () => {
      const err = await client()
        .send(emulator.webhookUrl(KEY), body, inAMinute())
        .catch((e: unknown) => e);
      assert.ok(
        err instanceof WecomRejectedError && !(err instanceof WecomRobotUnavailableError),
        String(err),
      );
      assertPermanent(err, errcode);
    });
  }

  function assertPermanent(err: WecomRejectedError, errcode: number) {
    assert.equal(err.errcode, errcode);
    assert.equal(err.retryable, false);
    assert.equal(err.attempts, 1);
    assert.match(err.errmsg, new RegExp(`more info at .*\\?e=${errcode}$`));
    assert.match(
      err.message,
      new RegExp(`errcode ${errcode} \\(.+\\): ${err.errmsg.replace(/[[\]().?*+^$]/g, '\\$&')}`),
    );
    assert.equal(emulator.requests().length, 1);
    assert.deepEqual(clock.sleeps, []);
  }

  it('on 45009 waits for the block window to pass, then delivers', async () => {
    // Another process using the same robot has spent its 20 messages this minute.
    for (let i = 0; i < 20; i++) await axios.post(emulator.webhookUrl(KEY), TEXT);
    const result = await client().send(emulator.webhookUrl(KEY), TEXT, inAMinute());
    assert.equal(result.attempts, 2);
    const [limited, delivered] = emulator.requests().slice(20);
    assert.equal(limited!.answer, 45009);
    assert.equal(delivered!.answer, 0);
    assert.ok(delivered!.receivedAt - limited!.receivedAt >= 60_000, 'retried inside the block');
  });

  it('after a 45009 also holds back other messages to the same robot until the block ends', async () => {
    emulator.inject({ kind: 'errcode', errcode: 45009, times: 1 });
    const wecom = client();
    await wecom.send(emulator.webhookUrl(KEY), TEXT, inAMinute());
    const blockedAt = emulator.requests()[0]!.receivedAt;
    await wecom.send(emulator.webhookUrl(KEY), TEXT, inAMinute());
    assert.deepEqual(
      emulator.requests().map((r) => r.answer),
      [45009, 0, 0],
    );
    assert.ok(emulator.requests()[2]!.receivedAt >= blockedAt + 60_000);
  });

  for (const [name, fault] of [
    ['errcode -1', { kind: 'errcode', errcode: -1 }],
    ['HTTP 502', { kind: 'http-status', status: 502 }],
    ['HTTP 503', { kind: 'http-status', status: 503 }],
    ['connection reset', { kind: 'reset' }],
  ] as const) {
    it(`retries ${name} with full-jitter exponential backoff`, async () => {
      emulator.inject({ ...fault, times: 2 });
      const result = await client().send(emulator.webhookUrl(KEY), TEXT, inAMinute());
      assert.equal(result.attempts, 3);
      assert.equal(emulator.messages().length, 1);
      // random() = 0.5 → half of 250·2^(n-1)
      assert.deepEqual(clock.sleeps, [125, 250]);
    });
  }

  it('retries HTTP 429 no sooner than its Retry-After', async () => {
    emulator.inject({ kind: 'http-status', status: 429, headers: { 'retry-after': '7' }, times: 1 });
    const result = await client().send(emulator.webhookUrl(KEY), TEXT, inAMinute());
    assert.equal(result.attempts, 2);
    assert.deepEqual(clock.sleeps, [7000]);
  });

  it('stops retrying at the deadline with a retryable WecomDeadlineError', async () => {
    emulator.inject({ kind: 'errcode', errcode: -1 });
    const wecom = client({ random: () => 0.99 });
    const err = await wecom
      .send(emulator.webhookUrl(KEY), TEXT, { deadline: clock.now() + 1000 })
      .catch((e: unknown) => e);
    assert.ok(err instanceof WecomDeadlineError, String(err));
    assert.equal(err.retryable, true);
    assert.equal(err.errcode, -1);
    assert.equal(err.waitingFor, 'retry');
    // waits 247 and 495 ms; the third wait (990 ms) would end past the deadline
    assert.deepEqual(clock.sleeps, [247, 495]);
    assert.equal(err.attempts, 3);
    assert.equal(emulator.requests().length, 3);
  });

  it('does not wait for a 45009 block that ends after the deadline', async () => {
    emulator.inject({ kind: 'errcode', errcode: 45009 });
    const err = await client()
      .send(emulator.webhookUrl(KEY), TEXT, { deadline: clock.now() + 30_000 })
      .catch((e: unknown) => e);
    assert.ok(err instanceof WecomDeadlineError, String(err));
    assert.equal(err.waitingFor, 'rate-limit');
    assert.equal(err.errcode, 45009);
    assert.equal(err.retryable, true);
    assert.deepEqual(clock.sleeps, []);
    assert.equal(emulator.requests().length, 1);
  });

  it('sends nothing when the deadline has already passed', async () => {
    const err = await client()
      .send(emulator.webhookUrl(KEY), TEXT, { deadline: clock.now() - 1 })
      .catch((e: unknown) => e);
    assert.ok(err instanceof WecomDeadlineError);
    assert.equal(err.attempts, 0);
    assert.equal(emulator.requests().length, 0);
  });

  it('gives up after maxAttempts with a retryable WecomRetriesExhaustedError', async () => {
    emulator.inject({ kind: 'http-status', status: 500 });
    const err = await client({ maxAttempts: 3 })
      .send(emulator.webhookUrl(KEY), TEXT, inAMinute())
      .catch((e: unknown) => e);
    assert.ok(err instanceof WecomRetriesExhaustedError, String(err));
    assert.equal(err.retryable, true);
    assert.equal(err.attempts, 3);
    assert.equal(err.errmsg, 'HTTP 500');
  });

  it('does not retry a response timeout after the request was sent (it may have been delivered)', async () => {
    emulator.inject({ kind: 'hang', times: 1 });
    const err = await client({ requestTimeoutMs: 150 })
      .send(emulator.webhookUrl(KEY), TEXT, inAMinute())
      .catch((e: unknown) => e);
    assert.ok(err instanceof WecomResponseTimeoutError, String(err));
    assert.equal(err.retryable, false);
    assert.deepEqual(
      emulator.requests().map((r) => r.answer),
      ['hang'],
    );
  });

  it('retries a timeout that struck before the request was sent (name lookup never answered)', async () => {
    let lookups = 0;
    const lookup = ((
      _host: string,
      _opts: unknown,
      callback: (err: null, address: string, family: number) => void,
    ) => {
      lookups += 1;
      if (lookups > 1) callback(null, '127.0.0.1', 4);
    }) as CreateAxiosDefaults['lookup'];
    const wecom = client({
      http: axios.create({ lookup }),
      requestTimeoutMs: 150,
      allowedHosts: [`localhost:${emulator.port}`],
    });
    const result = await wecom.send(
      `http://localhost:${emulator.port}/cgi-bin/webhook/send?key=${KEY}`,
      TEXT,
      inAMinute(),
    );
    assert.equal(result.attempts, 2);
    assert.deepEqual(
      emulator.requests().map((r) => r.answer),
      [0],
    );
  });

  it('treats a non-WeCom answer as a permanent WecomHttpError', async () => {
    emulator.inject({ kind: 'http-status', status: 404, times: 1 });
    emulator.inject({ kind: 'errcode', errcode: 0, times: 1 }); // shadowed by the 404 for the first request
    const err = await client()
      .send(emulator.webhookUrl(KEY), TEXT, inAMinute())
      .catch((e: unknown) => e);
    assert.ok(err instanceof WecomHttpError, String(err));
    assert.equal(err.status, 404);
    assert.equal(err.attempts, 1);

    emulator.reset();
    emulator.route('POST', '/not-wecom', (_req, res) => void res.end('<html>login</html>'));
    const html = await client()
      .send(`${emulator.url}/not-wecom?key=${KEY}`, TEXT, inAMinute())
      .catch((e: unknown) => e);
    assert.ok(html instanceof WecomHttpError && /without a WeCom errcode/.test(html.message), String(html));
  });

  it('accepts errcode 0 with a "Warning" errmsg but logs it as suspicious', async () => {
    emulator.inject({ kind: 'errcode', errcode: 0, reason: 'ok. Warning: wrong json format. ', times: 1 });
    const result = await client().send(emulator.webhookUrl(KEY), TEXT, inAMinute());
    assert.equal(result.errmsg, 'ok. Warning: wrong json format. ');
    assert.ok(logLines.some((l) => l.level === 'warn' && /warning/i.test(l.msg)));
  });
});

describe('WecomClient per-robot budget', () => {
  it('sends at most 20 messages to one robot in any minute, so WeCom never answers 45009', async () => {
    const wecom = client();
    for (let i = 0; i < 45; i++) await wecom.send(emulator.webhookUrl(KEY), TEXT, inAMinute());
    const times = emulator.requests().map((r) => r.answer === 0 && r.receivedAt);
    assert.equal(emulator.messages().length, 45);
    assert.equal(times.filter((t) => t === false).length, 0);
    const received = emulator.messages().map((m) => m.receivedAt);
    for (let i = 20; i < received.length; i++)
      assert.ok(received[i]! - received[i - 20]! >= 60_000, `message ${i}`);
  });

  it('gives up a slot it reaches more than a second late and sends in a fresh one', async () => {
    const start = clock.now();
    const slots = [start + 500, start + 5_000];
    const asked: number[] = [];
    const gate = {
      next: async (now: number) => {
        asked.push(now);
        return slots.shift() ?? null;
      },
      block: async () => {},
    };
    // The process stalls for 3 s while it waits for its first slot, as a starved event loop would.
    const stalling = client({ sleep: async (ms) => clock.advance(ms + (asked.length === 1 ? 3_000 : 0)) });
    await stalling.send(emulator.webhookUrl(KEY), TEXT, { ...inAMinute(), gate });
    assert.equal(asked.length, 2, 'a second slot was asked for');
    assert.equal(emulator.messages().length, 1);
    assert.ok(emulator.messages()[0]!.receivedAt >= start + 5_000, 'sent in the fresh slot');
    assert.ok(logLines.some((line) => line.msg.includes('late')));
  });

  it('honours a receiver budget below 20 per minute', async () => {
    const wecom = client();
    for (let i = 0; i < 6; i++)
      await wecom.send(emulator.webhookUrl(KEY), TEXT, { ...inAMinute(), maxMessagesPerMinute: 5 });
    const received = emulator.messages().map((m) => m.receivedAt);
    assert.equal(received[4], received[0]);
    assert.ok(received[5]! - received[0]! >= 60_000);
  });

  it('never raises the budget above WeCom’s 20 per minute', async () => {
    const wecom = client();
    for (let i = 0; i < 21; i++)
      await wecom.send(emulator.webhookUrl(KEY), TEXT, { ...inAMinute(), maxMessagesPerMinute: 60 });
    assert.equal(emulator.requests().filter((r) => r.answer === 45009).length, 0);
  });

  it('fails with a retryable deadline error instead of waiting for budget past the deadline', async () => {
    const wecom = client();
    for (let i = 0; i < 20; i++) await wecom.send(emulator.webhookUrl(KEY), TEXT, inAMinute());
    const err = await wecom
      .send(emulator.webhookUrl(KEY), TEXT, { deadline: clock.now() + 5000 })
      .catch((e: unknown) => e);
    assert.ok(
      err instanceof WecomDeadlineError && err.waitingFor === 'rate-limit' && err.retryable,
      String(err),
    );
    assert.equal(emulator.requests().length, 20);
  });

  it('keeps separate budgets per robot', async () => {
    emulator.addKey('second-robot-0001');
    const wecom = client();
    for (let i = 0; i < 20; i++) await wecom.send(emulator.webhookUrl(KEY), TEXT, inAMinute());
    const start = clock.now();
    await wecom.send(emulator.webhookUrl('second-robot-0001'), TEXT, inAMinute());
    assert.equal(clock.now(), start);
  });
});

describe('WecomClient webhook safety', () => {
  it('never shows the webhook key in any log line or error message', async () => {
    const wecom = client({ maxAttempts: 2 });
    const url = emulator.webhookUrl(KEY);
    const errors: unknown[] = [];
    const attempt = (body: object = TEXT) =>
      wecom.send(url, body, inAMinute()).catch((e: unknown) => void errors.push(e));
    emulator.inject({ kind: 'errcode', errcode: -1, reason: `busy for ${KEY}`, times: 1 });
    await attempt();
    emulator.inject({ kind: 'reset', times: 2 });
    await attempt();
    emulator.inject({ kind: 'http-status', status: 503, times: 2 });
    await attempt();
    emulator.inject({ kind: 'errcode', errcode: 93000, reason: `invalid webhook url ${KEY}`, times: 1 });
    await attempt();
    await attempt({ msgtype: 'text', text: { content: '' } });
    await wecom.send(url, TEXT, { deadline: clock.now() - 1 }).catch((e: unknown) => void errors.push(e));
    await client()
      .send(url.replace('127.0.0.1', 'localhost'), TEXT, inAMinute())
      .catch((e: unknown) => void errors.push(e));

    assert.ok(logLines.length >= 8, `only ${logLines.length} log lines`);
    assert.equal(errors.length, 6);
    for (const line of logLines) {
      const text = JSON.stringify(line);
      assert.ok(!text.includes(KEY), `key in log line ${text}`);
      assert.match(text, /key=\*\*\*\*9876/);
    }
    for (const err of errors) {
      const e = err as Error & { errmsg: string };
      const text = `${e.message} ${e.errmsg} ${JSON.stringify(e)} ${String(e.stack)}`;
      assert.ok(!text.includes(KEY), `key in error ${text}`);
      assert.match(e.message, /key=\*\*\*\*9876/);
    }
  });

  it('refuses hosts that are not allow-listed, sending nothing', async () => {
    const strict = client({ allowedHosts: [] });
    for (const url of [
      emulator.webhookUrl(KEY),
      `http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${KEY}`,
      `https://qyapi.weixin.qq.com/cgi-bin/webhook/upload_media?key=${KEY}`,
      `https://qyapi.weixin.qq.com.evil.example/cgi-bin/webhook/send?key=${KEY}`,
      `https://user:pw@qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${KEY}`,
      'https://qyapi.weixin.qq.com/cgi-bin/webhook/send',
      'not a url',
    ]) {
      const err = await strict.send(url, TEXT, inAMinute()).catch((e: unknown) => e);
      assert.ok(err instanceof WecomWebhookError, `${url}: ${String(err)}`);
      assert.equal(err.retryable, false);
      assert.ok(!err.message.includes(KEY));
    }
    assert.equal(emulator.requests().length, 0);
  });

  it('does not follow redirects away from an allowed host', async () => {
    emulator.route(
      'POST',
      '/redirect',
      (_req, res) => void res.writeHead(307, { location: emulator.webhookUrl(KEY) }).end(),
    );
    const err = await client()
      .send(`${emulator.url}/redirect?key=${KEY}`, TEXT, inAMinute())
      .catch((e: unknown) => e);
    assert.ok(err instanceof WecomHttpError && err.status === 307, String(err));
    assert.equal(emulator.requests().length, 0);
  });
});
