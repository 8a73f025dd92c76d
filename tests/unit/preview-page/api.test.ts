import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { get, type IncomingMessage } from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import axios from 'axios';
import {
  mountPreviewPage,
  StatsBoard,
  type PreviewMessagesResponse,
  type PreviewPage,
} from '../../../local/preview-page/index.ts';
import { startWecomEmulator, type WecomEmulator } from '../../../emulators/wecom/index.ts';

const T0 = Date.UTC(2026, 10, 27, 2, 0, 0);
const ROBOTS = [
  { receiver: 'pay-oncall', key: 'key-pay-0001' },
  { receiver: 'platform', key: 'key-sre-0002' },
];

let now = T0;
let emulator: WecomEmulator;
let board: StatsBoard;
let page: PreviewPage;

before(async () => {
  emulator = await startWecomEmulator({ acceptAnyKey: true, clock: () => now });
  board = new StatsBoard({ clock: () => now });
  page = mountPreviewPage(emulator, {
    stats: () => board.snapshot(),
    statsChanges: (listener) => board.onChange(listener),
    robots: () => ROBOTS,
    timeZone: 'Asia/Shanghai',
    statsThrottleMs: 0,
  });
});
after(async () => {
  page.close();
  await emulator.stop();
});
beforeEach(() => {
  emulator.reset();
  now = T0;
});

async function send(key: string, body: unknown, at: number): Promise<void> {
  now = at;
  const res = await axios.post(emulator.webhookUrl(key), body);
  assert.equal(res.data.errcode, 0);
}

async function messages(query = ''): Promise<PreviewMessagesResponse> {
  return (await axios.get(`${emulator.url}/api/messages${query}`)).data;
}

interface ServerEvent {
  event: string;
  data: unknown;
}

/** Opens `/api/events` and yields its events as they arrive. */
async function* serverEvents(signal: AbortSignal): AsyncGenerator<ServerEvent> {
  const res = await new Promise<IncomingMessage>((resolve, reject) =>
    get(`${emulator.url}/api/events`, { signal }, resolve).on('error', reject),
  );
  assert.match(String(res.headers['content-type']), /^text\/event-stream/);
  res.setEncoding('utf8');
  let buffer = '';
  try {
    for await (const chunk of res) {
      buffer += chunk;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (event && data) yield { event, data: JSON.parse(data) };
      }
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  }
}

describe('preview page JSON API', () => {
  it('lists messages newest first with receiver, msgtype, content, mentions, time and UTF-8 size', async () => {
    await send(
      ROBOTS[0]!.key,
      { msgtype: 'markdown', markdown: { content: '**告警** <@wangqing>' } },
      T0 + 1_000,
    );
    await send(
      ROBOTS[1]!.key,
      {
        msgtype: 'text',
        text: { content: 'OOM', mentioned_list: ['@all'], mentioned_mobile_list: ['13800001111'] },
      },
      T0 + 2_000,
    );
    const body = await messages();
    assert.deepEqual(body.receivers, ['pay-oncall', 'platform']);
    assert.equal(body.timeZone, 'Asia/Shanghai');
    assert.deepEqual(body.messages, [
      {
        seq: 2,
        receiver: 'platform',
        robot: '0002',
        msgtype: 'text',
        channel: null,
        content: 'OOM',
        mentionedList: ['@all'],
        mentionedMobileList: ['13800001111'],
        receivedAt: T0 + 2_000,
        bytes: 3,
        limit: 2048,
        payload: { content: 'OOM', mentioned_list: ['@all'], mentioned_mobile_list: ['13800001111'] },
      },
      {
        seq: 1,
        receiver: 'pay-oncall',
        robot: '0001',
        msgtype: 'markdown',
        channel: null,
        content: '**告警** <@wangqing>',
        mentionedList: [],
        mentionedMobileList: [],
        receivedAt: T0 + 1_000,
        bytes: Buffer.byteLength('**告警** <@wangqing>'),
        limit: 4096,
        payload: { content: '**告警** <@wangqing>' },
      },
    ]);
    assert.equal(body.messages[1]!.bytes, 22);
  });

  it('ignores mention lists in markdown, as WeCom does', async () => {
    await send(
      ROBOTS[0]!.key,
      { msgtype: 'markdown', markdown: { content: 'x', mentioned_list: ['a'] } },
      T0,
    );
    const [message] = (await messages()).messages;
    assert.deepEqual(message!.mentionedList, []);
  });

  it('filters by receiver and by sequence number', async () => {
    for (const [i, robot] of [ROBOTS[0]!, ROBOTS[1]!, ROBOTS[0]!].entries()) {
      await send(robot.key, { msgtype: 'text', text: { content: `m${i}` } }, T0 + i);
    }
    assert.deepEqual(
      (await messages('?receiver=pay-oncall')).messages.map((m) => m.content),
      ['m2', 'm0'],
    );
    assert.deepEqual(
      (await messages('?since=1')).messages.map((m) => m.seq),
      [3, 2],
    );
  });

  it('shows a key that no receiver uses as an unknown robot, by its last 4 characters only', async () => {
    await send('secret-key-9f3a', { msgtype: 'text', text: { content: 'x' } }, T0);
    const [message] = (await messages()).messages;
    assert.equal(message!.receiver, null);
    assert.equal(message!.robot, '9f3a');
    assert.doesNotMatch(JSON.stringify(await messages()), /secret-key/);
  });

  it('serves the stats', async () => {
    board.increment('eventsWatched', 7);
    board.suppress('repeat');
    const stats = (await axios.get(`${emulator.url}/api/stats`)).data;
    assert.equal(stats.eventsWatched, board.snapshot().eventsWatched);
    assert.equal(stats.suppressed.repeat, board.snapshot().suppressed.repeat);
    assert.equal(stats.limitPerMinute, 20);
  });
});

describe('preview page event stream', () => {
  it('sends a snapshot, then each new message and each stats change', async () => {
    await send(ROBOTS[0]!.key, { msgtype: 'text', text: { content: 'before' } }, T0);
    const abort = new AbortController();
    const events = serverEvents(abort.signal);
    try {
      const snapshot = (await events.next()).value as ServerEvent;
      assert.equal(snapshot.event, 'snapshot');
      const data = snapshot.data as PreviewMessagesResponse & { stats: { eventsWatched: number } };
      assert.deepEqual(
        data.messages.map((m) => m.content),
        ['before'],
      );
      assert.deepEqual(data.receivers, ['pay-oncall', 'platform']);
      assert.equal(data.timeZone, 'Asia/Shanghai', 'the page needs the zone before it shows any time');
      assert.equal(data.stats.eventsWatched, board.snapshot().eventsWatched);

      await send(ROBOTS[1]!.key, { msgtype: 'markdown', markdown: { content: 'after' } }, T0 + 5);
      const live = (await events.next()).value as ServerEvent;
      assert.equal(live.event, 'wecom-message');
      const { message } = live.data as { message: { seq: number; receiver: string; content: string } };
      assert.deepEqual([message.seq, message.receiver, message.content], [2, 'platform', 'after']);

      board.set('dlqDepth', 4);
      const stats = (await events.next()).value as ServerEvent;
      assert.equal(stats.event, 'stats');
      assert.equal((stats.data as { dlqDepth: number }).dlqDepth, 4);
    } finally {
      abort.abort();
      await events.return(undefined);
      board.set('dlqDepth', 0);
    }
  });
});

describe('preview page document', () => {
  it('is one HTML document whose only script and style are inline and allowed by hash in its CSP', async () => {
    const res = await axios.get(`${emulator.url}/`, { transformResponse: (t: string) => t });
    assert.match(String(res.headers['content-type']), /^text\/html/);
    const html = res.data as string;
    const csp = String(res.headers['content-security-policy']);
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
    assert.equal(scripts.length, 1);
    assert.equal(styles.length, 1);
    const hash = (text: string) => createHash('sha256').update(text).digest('base64');
    assert.ok(csp.includes(`script-src 'sha256-${hash(scripts[0]!)}'`), csp);
    assert.ok(csp.includes(`style-src 'sha256-${hash(styles[0]!)}'`), csp);
    assert.match(csp, /default-src 'none'/);
    // Nothing is loaded from elsewhere: no src attributes, no stylesheet or script links, no absolute URLs to fetch.
    assert.doesNotMatch(html, /\ssrc=|<link[^>]+stylesheet|@import|url\(\s*['"]?(?:https?:)?\/\//);
    assert.doesNotMatch(html, /\binnerHTML\b|insertAdjacentHTML|outerHTML|document\.write/);
  });
});
