import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import axios from 'axios';
import { createManualClock, startWecomEmulator, type WecomEmulator } from '../../../emulators/wecom/index.ts';

const KEY = '693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa';
const ERRMSG = (code: number, reason: string) =>
  new RegExp(
    `^${reason.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, hint: \\[\\d{25}\\], from ip: 127\\.0\\.0\\.1, ` +
      `more info at https://open\\.work\\.weixin\\.qq\\.com/devtool/query\\?e=${code}$`,
  );

const clock = createManualClock();
let emulator: WecomEmulator;

before(async () => {
  emulator = await startWecomEmulator({ keys: [KEY], clock: clock.now });
});
after(() => emulator.stop());
beforeEach(() => emulator.reset());

async function post(body: unknown, key = KEY, contentType = 'application/json') {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await axios.post(emulator.webhookUrl(key), raw, {
    headers: { 'content-type': contentType },
    validateStatus: () => true,
    transformResponse: (t: string) => t,
  });
  return {
    status: res.status,
    contentType: String(res.headers['content-type']),
    text: res.data as string,
    json: JSON.parse(res.data as string),
  };
}

const text = (content: string) => ({ msgtype: 'text', text: { content } });
const markdown = (content: string, msgtype = 'markdown') => ({ msgtype, [msgtype]: { content } });

describe('WeCom emulator', () => {
  it('answers success with exactly {"errcode":0,"errmsg":"ok"}, HTTP 200 JSON, and records the message', async () => {
    const res = await post({ ...text('你好 world'), extra: 'ignored' });
    assert.equal(res.status, 200);
    assert.match(res.contentType, /^application\/json/);
    assert.equal(res.text, '{"errcode":0,"errmsg":"ok"}');
    const [message] = emulator.messages(KEY);
    assert.deepEqual(message, {
      key: KEY,
      msgtype: 'text',
      payload: { content: '你好 world' },
      body: { msgtype: 'text', text: { content: '你好 world' }, extra: 'ignored' },
      receivedAt: clock.now(),
    });
  });

  it('answers 93000 for an unknown key and for an empty key, with the real errmsg format', async () => {
    for (const key of ['not-a-robot', '']) {
      const res = await post(text('x'), key);
      assert.equal(res.status, 200);
      assert.equal(res.json.errcode, 93000);
      assert.match(res.json.errmsg, ERRMSG(93000, 'invalid webhook url'));
    }
    assert.equal(emulator.messages().length, 0);
  });

  it('starts the hint with the unix seconds of the emulator clock', async () => {
    const res = await post(text('x'), 'nope');
    const hint = /hint: \[(\d{25})\]/.exec(res.json.errmsg)![1]!;
    assert.equal(hint.slice(0, 10), String(Math.floor(clock.now() / 1000)));
  });

  it('answers 40008 for a body that is not JSON, form-encoded, or lacks a valid msgtype', async () => {
    for (const body of [
      '{not json',
      'msgtype=text&content=x',
      { msg_type: 'text', text: { content: 'x' } },
      { msgtype: 'html' },
      [1],
    ]) {
      const res = await post(
        body,
        KEY,
        typeof body === 'string' && body.includes('=')
          ? 'application/x-www-form-urlencoded'
          : 'application/json',
      );
      assert.equal(res.json.errcode, 40008, JSON.stringify(body));
      assert.match(res.json.errmsg, ERRMSG(40008, 'invalid message type'));
    }
  });

  it('ignores Content-Type: a JSON body sent as text/plain is accepted', async () => {
    const res = await post(text('plain'), KEY, 'text/plain');
    assert.equal(res.json.errcode, 0);
  });

  it('answers 44004 for empty or missing content in text, markdown and markdown_v2', async () => {
    for (const body of [
      text(''),
      markdown(''),
      markdown('', 'markdown_v2'),
      { msgtype: 'text' },
      { msgtype: 'markdown', markdown: {} },
    ]) {
      const res = await post(body);
      assert.equal(res.json.errcode, 44004, JSON.stringify(body));
      assert.match(res.json.errmsg, ERRMSG(44004, 'empty content'));
    }
  });

  it('accepts markdown of exactly 4096 UTF-8 bytes and answers 40058 with the real wording at 4097', async () => {
    const cjk = '警'.repeat(1365); // 4095 bytes
    assert.equal((await post(markdown(cjk + 'a'))).json.errcode, 0);
    for (const msgtype of ['markdown', 'markdown_v2']) {
      const res = await post(markdown(cjk + 'ab', msgtype));
      assert.equal(res.json.errcode, 40058);
      assert.match(
        res.json.errmsg,
        ERRMSG(40058, `${msgtype}.content exceed max length 4096. invalid Request Parameter`),
      );
    }
  });

  it('accepts text up to 5120 bytes (observed server limit) and rejects 5121 with 40058', async () => {
    assert.equal((await post(text('a'.repeat(5120)))).json.errcode, 0);
    const res = await post(text('a'.repeat(5121)));
    assert.equal(res.json.errcode, 40058);
    assert.match(
      res.json.errmsg,
      ERRMSG(40058, 'text.content exceed max length 5120. invalid Request Parameter'),
    );
  });

  it('ignores mentioned lists in markdown and delivers the message', async () => {
    const res = await post({
      msgtype: 'markdown',
      markdown: { content: 'x', mentioned_mobile_list: ['13800001111'] },
    });
    assert.equal(res.json.errcode, 0);
  });

  it('truncates news titles to 128 bytes and descriptions to 512 bytes', async () => {
    await post({
      msgtype: 'news',
      news: { articles: [{ title: '标'.repeat(50), description: 'd'.repeat(600), url: 'u' }] },
    });
    const article = (
      emulator.messages()[0]!.payload.articles as { title: string; description: string }[]
    )[0]!;
    assert.equal(article.title, '标'.repeat(42));
    assert.equal(article.description.length, 512);
  });

  it('answers 45009 to the 21st message within 60 s, blocks the key for 60 s, then accepts again', async () => {
    for (let i = 0; i < 20; i++) {
      assert.equal((await post(text(`m${i}`))).json.errcode, 0);
      clock.advance(1000);
    }
    const limited = await post(text('m20')); // t = 20 s
    assert.equal(limited.json.errcode, 45009);
    assert.match(limited.json.errmsg, ERRMSG(45009, 'api freq out of limit'));
    clock.advance(45_000); // t = 65 s: the first messages left the window, but the block lasts until t = 80 s
    assert.equal((await post(text('blocked'))).json.errcode, 45009);
    clock.advance(15_000); // t = 80 s
    assert.equal((await post(text('again'))).json.errcode, 0);
    assert.equal(emulator.messages().length, 21);
  });

  it('counts per key: another robot is not limited by the first one', async () => {
    emulator.addKey('second-robot-key');
    for (let i = 0; i < 20; i++) await post(text('x'));
    assert.equal((await post(text('x'))).json.errcode, 45009);
    assert.equal((await post(text('x'), 'second-robot-key')).json.errcode, 0);
  });

  it('with a sliding window, allows a message once the oldest left the 60 s window', async () => {
    for (let i = 0; i < 20; i++) await post(text('x'));
    clock.advance(60_000);
    assert.equal((await post(text('x'))).json.errcode, 0);
  });

  it('serves recorded messages on /api/messages, optionally per key', async () => {
    emulator.addKey('other-key');
    await post(text('one'));
    await post(text('two'), 'other-key');
    const all = (await axios.get(`${emulator.url}/api/messages`)).data as { messages: unknown[] };
    const one = (await axios.get(`${emulator.url}/api/messages?key=other-key`)).data as {
      messages: { payload: unknown }[];
    };
    assert.equal(all.messages.length, 2);
    assert.deepEqual(
      one.messages.map((m) => m.payload),
      [{ content: 'two' }],
    );
  });

  it('serves added routes', async () => {
    emulator.route('GET', '/preview', (_req, res) => void res.end('page'));
    assert.equal((await axios.get(`${emulator.url}/preview`)).data, 'page');
    assert.equal((await axios.get(`${emulator.url}/nothing`, { validateStatus: () => true })).status, 404);
  });
});

describe('WeCom emulator options', () => {
  it('rejects text over 2048 bytes in strict mode', async () => {
    const strict = await startWecomEmulator({ keys: [KEY], strictText: true });
    try {
      const ok = await axios.post(strict.webhookUrl(KEY), text('b'.repeat(2048)));
      const res = await axios.post(strict.webhookUrl(KEY), text('b'.repeat(2049)));
      assert.equal(ok.data.errcode, 0);
      assert.equal(res.data.errcode, 40058);
      assert.match(
        res.data.errmsg,
        /^text\.content exceed max length 2048\. invalid Request Parameter, hint/,
      );
    } finally {
      await strict.stop();
    }
  });

  it('with a fixed window, resets the count at the minute boundary', async () => {
    const fixedClock = createManualClock(Date.UTC(2026, 0, 1, 0, 0, 30));
    const fixed = await startWecomEmulator({
      keys: [KEY],
      clock: fixedClock.now,
      rateLimit: { window: 'fixed', blockMs: 1000 },
    });
    try {
      for (let i = 0; i < 20; i++) await axios.post(fixed.webhookUrl(KEY), text('x'));
      assert.equal((await axios.post(fixed.webhookUrl(KEY), text('x'))).data.errcode, 45009);
      fixedClock.advance(30_000); // next calendar minute, 30 s later: a sliding window would still refuse
      assert.equal((await axios.post(fixed.webhookUrl(KEY), text('x'))).data.errcode, 0);
    } finally {
      await fixed.stop();
    }
  });

  it('counts rejected calls toward the limit when countRejected is set', async () => {
    const counting = await startWecomEmulator({
      keys: [KEY],
      clock: clock.now,
      rateLimit: { countRejected: true },
    });
    try {
      for (let i = 0; i < 20; i++) await axios.post(counting.webhookUrl(KEY), text(''));
      assert.equal((await axios.post(counting.webhookUrl(KEY), text('x'))).data.errcode, 45009);
    } finally {
      await counting.stop();
    }
  });
});

describe('WeCom emulator faults', () => {
  it('injects errcodes a given number of times, with the real errmsg format', async () => {
    emulator.inject({ kind: 'errcode', errcode: -1, times: 2 });
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await post(text('x'))).json);
    assert.deepEqual(
      codes.map((c) => c.errcode),
      [-1, -1, 0],
    );
    assert.match(codes[0].errmsg, ERRMSG(-1, 'system busy'));
  });

  it('injects HTTP 5xx answers', async () => {
    emulator.inject({ kind: 'http-status', status: 502, times: 1 });
    const res = await axios.post(emulator.webhookUrl(KEY), text('x'), { validateStatus: () => true });
    assert.equal(res.status, 502);
    assert.deepEqual(
      emulator.requests().map((r) => r.answer),
      ['http 502'],
    );
  });

  it('injects connection resets', async () => {
    emulator.inject({ kind: 'reset', times: 1 });
    await assert.rejects(axios.post(emulator.webhookUrl(KEY), text('x')), { code: 'ECONNRESET' });
    assert.equal(emulator.messages().length, 0);
  });

  it('injects hangs that never answer', async () => {
    emulator.inject({ kind: 'hang', times: 1 });
    await assert.rejects(axios.post(emulator.webhookUrl(KEY), text('x'), { timeout: 100 }), {
      code: 'ECONNABORTED',
    });
    assert.deepEqual(
      emulator.requests().map((r) => r.answer),
      ['hang'],
    );
  });

  it('injects latency before the normal answer', async () => {
    emulator.inject({ kind: 'latency', ms: 20, times: 1 });
    assert.equal((await post(text('x'))).json.errcode, 0);
    assert.equal(emulator.messages().length, 1);
  });

  it('scopes faults to one key and fires them with a probability', async () => {
    let roll = 0;
    const rolls = [0.1, 0.9];
    const probabilistic = await startWecomEmulator({
      keys: [KEY, 'other-key'],
      random: () => rolls[roll++ % 2]!,
    });
    try {
      probabilistic.inject({ kind: 'errcode', errcode: 45009, key: KEY, probability: 0.5 });
      const answers = [];
      for (const key of [KEY, KEY, 'other-key'])
        answers.push((await axios.post(probabilistic.webhookUrl(key), text('x'))).data.errcode);
      assert.deepEqual(answers, [45009, 0, 0]);
    } finally {
      await probabilistic.stop();
    }
  });

  it('revokes a key: 93000 from then on', async () => {
    assert.equal((await post(text('x'))).json.errcode, 0);
    emulator.inject({ kind: 'revoke', key: KEY });
    assert.equal((await post(text('x'))).json.errcode, 93000);
  });
});
