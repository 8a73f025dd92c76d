import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import axios from 'axios';
import type { BrowserContext, Page } from 'playwright-core';
import { mountPreviewPage, StatsBoard, type PreviewPage } from '../../local/preview-page/index.ts';
import { startWecomEmulator, type WecomEmulator } from '../../emulators/wecom/index.ts';
import { launchChromium, screenshotPath } from '../harness/chromium/index.ts';

const ROBOTS = [
  { receiver: 'pay-oncall', key: 'k-pay-9c1e' },
  { receiver: 'platform-sre', key: 'k-sre-4b7a' },
  { receiver: 'digest-v2', key: 'k-v2-77d0' },
];

// 2026-11-27 10:14:30 in Shanghai, the timezone the page is opened in.
const NOW = Date.UTC(2026, 10, 27, 2, 14, 30);
const MINUTE = 60_000;
const PER_MINUTE: Record<string, number[]> = {
  'pay-oncall': [0, 0, 1, 3, 8, 14, 20, 20, 12, 6, 3, 2, 1, 0, 1],
  'platform-sre': [0, 1, 0, 2, 4, 6, 9, 5, 3, 2, 1, 0, 0, 1, 1],
  'digest-v2': [1, 0, 0, 1, 2, 3, 3, 2, 2, 1, 1, 0, 1, 0, 1],
};

const BACKOFF = [
  '<font color="warning">Warning</font> **BackOff** · prod-sh',
  '> Pod **pay/api-7d9f8c6b5-x2x9q**',
  'Back-off pulling image "registry.example.com/pay/api:v2.31.0-rc1"',
  '<font color="comment">×12 · first 10:02:11 · last 10:14:02 (28s ago)</font>',
  '<font color="comment">kubelet, node-3</font>',
  '<@wangqing>',
].join('\n');

const NODE_DIGEST = [
  '**prod-sh: 4 events** · <font color="warning">3 Warning</font>',
  '<font color="comment">namespace=(none) · kind=Node</font>',
  '<font color="warning">●</font> **NodeNotReady** Node node-7 ×1 <font color="comment">2m ago</font>',
  '> Node node-7 status is now: NodeNotReady',
  '<font color="warning">●</font> **SystemOOM** Node node-7 ×3 <font color="comment">90s ago</font>',
  '> System OOM encountered, victim process: java, pid: 48213',
  '<font color="info">●</font> **NodeReady** Node node-7 ×1 <font color="comment">10s ago</font>',
  'Runbook: [node-not-ready](https://runbooks.example.com/k8s/node-not-ready)',
].join('\n');

const V2_DIGEST = [
  '### prod-sh: 3 events (⚠️ 3 Warning)',
  '',
  '> namespace=checkout',
  '',
  '| Reason | Object | Count |',
  '| :- | :- | -: |',
  '| Unhealthy | Pod checkout/web-5f6c9-q8w2m | 14 |',
  '| BackOff | Pod checkout/web-5f6c9-q8w2m | 6 |',
  '| FailedScheduling | Pod checkout/worker-0 | 2 |',
  '',
  '- Readiness probe failed: `HTTP probe failed with statuscode: 503`',
  '- 0/6 nodes are available: 3 Insufficient memory',
].join('\n');

const TEXT_OOM = [
  '[Warning] OOMKilling · prod-sh',
  'Pod search/indexer-0',
  'Memory cgroup out of memory: Killed process 3121 (java)',
  '×3 · first 10:09:40 · last 10:13:55',
].join('\n');

const HOSTILE = [
  '<script>window.__pwned = "script"</script>',
  '<img src=x onerror="window.__pwned = \'img\'">',
  '[click me](javascript:window.__pwned=\'link\') <font color="warning" onmouseover="x()">hostile</font>',
].join('\n');

// Callbacks passed to evaluate() run in the page; the project compiles without the DOM library.
declare const getComputedStyle: (element: unknown) => {
  color: string;
  backgroundColor: string;
  textAlign: string;
};
declare const window: { __pwned?: string };
declare const document: { documentElement: { scrollWidth: number } };
interface Box {
  left: number;
  right: number;
  top: number;
}

let emulatorNow = NOW;

async function send(emulator: WecomEmulator, key: string, body: unknown, at = emulatorNow): Promise<void> {
  emulatorNow = at;
  const res = await axios.post(emulator.webhookUrl(key), body);
  assert.deepEqual(res.data, { errcode: 0, errmsg: 'ok' });
}

// Counters of a realistic incident: a bad rollout, a node flapping, an OOM loop.
function incidentBoard(): StatsBoard {
  const board = new StatsBoard({ clock: () => NOW });
  for (const [receiver, counts] of Object.entries(PER_MINUTE)) {
    counts.forEach((n, i) => {
      for (let k = 0; k < n; k++) board.countMessage(receiver, NOW - (14 - i) * MINUTE);
    });
  }
  board.increment('eventsWatched', 1843);
  board.increment('queued', 1843);
  board.increment('notified', 212);
  board.suppress('repeat', 1402);
  board.suppress('no-route', 201);
  board.suppress('silence', 28);
  board.increment('rateLimited', 2);
  board.increment('retries', 3);
  return board;
}

/** Opens the page in a fresh Chromium and waits until its event stream is live. */
async function openLivePage(
  url: string,
  viewport: { width: number; height: number },
  timezoneId?: string,
): Promise<{ context: BrowserContext; tab: Page }> {
  const context = await launchChromium(viewport, timezoneId);
  const tab = context.pages()[0] ?? (await context.newPage());
  await tab.goto(url);
  await tab.locator('#status[data-mode="live"]').waitFor();
  return { context, tab };
}

describe('preview page in Chromium', () => {
  let emulator: WecomEmulator;
  let page: PreviewPage;
  let context: BrowserContext;
  let tab: Page;

  before(async () => {
    emulator = await startWecomEmulator({ acceptAnyKey: true, clock: () => emulatorNow });
    const board = incidentBoard();
    page = mountPreviewPage(emulator, {
      stats: () => board.snapshot(),
      statsChanges: (listener) => board.onChange(listener),
      robots: () => ROBOTS,
      timeZone: 'Asia/Shanghai',
    });
    const [pay, sre, v2] = ROBOTS.map((r) => r.key) as [string, string, string];
    await send(emulator, sre, { msgtype: 'markdown', markdown: { content: NODE_DIGEST } }, NOW - 85_000);
    await send(emulator, v2, { msgtype: 'markdown_v2', markdown_v2: { content: V2_DIGEST } }, NOW - 52_000);
    await send(
      emulator,
      pay,
      {
        msgtype: 'text',
        text: {
          content: TEXT_OOM,
          mentioned_list: ['wangqing', '@all'],
          mentioned_mobile_list: ['13800001111'],
        },
      },
      NOW - 31_000,
    );
    await send(emulator, pay, { msgtype: 'markdown', markdown: { content: BACKOFF } }, NOW - 9_000);

    ({ context, tab } = await openLivePage(emulator.url, { width: 1440, height: 1080 }));
  });

  after(async () => {
    await context?.close();
    page?.close();
    await emulator?.stop();
  });

  it('shows one column per robot with its messages newest first', async () => {
    const receivers = await tab
      .locator('.column')
      .evaluateAll((cols) => cols.map((c) => c.getAttribute('data-receiver')));
    assert.deepEqual(receivers, ['pay-oncall', 'platform-sre', 'digest-v2']);
    const badges = await tab.locator('[data-receiver="pay-oncall"] .badge').allTextContents();
    assert.deepEqual(badges, ['markdown', 'text']);
  });

  it('highlights a <@wangqing> mention and colours a Warning orange-red, a comment grey', async () => {
    const bubble = tab.locator('[data-receiver="pay-oncall"] .msg').first().locator('.bubble');
    const mention = bubble.locator('.mention');
    assert.equal(await mention.textContent(), '@wangqing');
    const mentionStyle = await mention.evaluate((e) => {
      const s = getComputedStyle(e);
      return { color: s.color, background: s.backgroundColor };
    });
    assert.deepEqual(mentionStyle, { color: 'rgb(29, 95, 208)', background: 'rgb(232, 241, 254)' });

    const warning = bubble.locator('.font-warning');
    assert.equal(await warning.textContent(), 'Warning');
    assert.equal(await warning.evaluate((e) => getComputedStyle(e).color), 'rgb(240, 100, 45)');
    assert.equal(
      await bubble
        .locator('.font-comment')
        .first()
        .evaluate((e) => getComputedStyle(e).color),
      'rgb(143, 149, 158)',
    );
    assert.equal(await bubble.locator('blockquote strong').textContent(), 'pay/api-7d9f8c6b5-x2x9q');
  });

  it('shows a text message literally with its mentioned_list and mobiles highlighted', async () => {
    const bubble = tab.locator('[data-receiver="pay-oncall"] .msg').nth(1).locator('.bubble');
    assert.equal(await bubble.locator('.text-body').textContent(), TEXT_OOM);
    assert.deepEqual(await bubble.locator('.mentions .mention').allTextContents(), [
      '@wangqing',
      '@all',
      '@13800001111',
    ]);
  });

  it('renders a markdown_v2 table with its alignment, and a markdown link as an https link', async () => {
    const table = tab.locator('[data-receiver="digest-v2"] table');
    assert.deepEqual(await table.locator('th').allTextContents(), ['Reason', 'Object', 'Count']);
    assert.equal(await table.locator('tbody tr').count(), 3);
    assert.equal(
      await table
        .locator('tbody tr')
        .first()
        .locator('td')
        .nth(2)
        .evaluate((e) => getComputedStyle(e).textAlign),
      'right',
    );
    const link = tab.locator('[data-receiver="platform-sre"] .bubble a');
    assert.equal(await link.getAttribute('href'), 'https://runbooks.example.com/k8s/node-not-ready');
  });

  it('shows the counters and a per-minute chart with the 20/min line', async () => {
    const value = (name: string) => tab.locator(`[data-counter="${name}"] .value`).textContent();
    assert.equal(await value('eventsWatched'), '1843');
    assert.equal(await value('suppressed'), '1631');
    assert.equal(await value('rateLimited'), '2');
    assert.equal(await tab.locator('.chart .limit-label').textContent(), '20/min');
    const bars = Object.values(PER_MINUTE)
      .flat()
      .filter((n) => n > 0).length;
    assert.equal(await tab.locator('.chart rect').count(), bars);
  });

  it('takes the README screenshot (saved under npm run screenshots)', async () => {
    const path = screenshotPath('preview-page.png');
    const image = await tab.screenshot({ fullPage: true, ...(path ? { path } : {}) });
    assert.ok(image.length > 0);
    if (path) assert.ok(existsSync(path));
  });

  it('adds a message live and shows hostile markup as text without running it', async () => {
    await send(emulator, ROBOTS[1]!.key, { msgtype: 'markdown', markdown: { content: HOSTILE } }, NOW);
    const newest = tab.locator('[data-receiver="platform-sre"] .msg').first();
    await newest.locator('text=hostile').waitFor();
    const bubble = newest.locator('.bubble');
    assert.equal(await bubble.locator('script, img, [onerror], [onmouseover]').count(), 0);
    assert.equal(await bubble.locator('a').count(), 0);
    assert.match((await bubble.textContent()) ?? '', /<script>window\.__pwned = "script"<\/script>/);
    assert.equal(await tab.evaluate(() => window.__pwned), undefined);
  });

  it('falls back to polling and still renders the messages', async () => {
    const polled = await context.newPage();
    await polled.goto(`${emulator.url}/?transport=poll`);
    await polled.locator('#status[data-mode="polling"]').waitFor();
    assert.equal(await polled.locator('.msg').count(), 5);
    await polled.close();
  });
});

// Four robots, the count of config/local.json, and a browser eight time zones away from the bundle's.
const FOUR_ROBOTS = [
  { receiver: 'platform-oncall', key: 'k-oncall-01' },
  { receiver: 'app-owners', key: 'k-owners-02' },
  { receiver: 'payments-team', key: 'k-payments-03' },
  { receiver: 'release-watch', key: 'k-release-04' },
];

describe('preview page at 1,400 px, in a browser far from the bundle’s time zone', () => {
  let emulator: WecomEmulator;
  let page: PreviewPage;
  let context: BrowserContext;
  let tab: Page;
  const robots = [...FOUR_ROBOTS];

  before(async () => {
    emulatorNow = NOW;
    emulator = await startWecomEmulator({ acceptAnyKey: true, clock: () => emulatorNow });
    page = mountPreviewPage(emulator, {
      stats: () => incidentBoard().snapshot(),
      robots: () => robots,
      timeZone: 'Asia/Shanghai',
    });
    for (const robot of FOUR_ROBOTS) {
      await send(emulator, robot.key, { msgtype: 'markdown', markdown: { content: BACKOFF } }, NOW);
    }
    // 02:14:30 UTC is 10:14:30 in Shanghai and 18:14:30 the day before in Los Angeles.
    ({ context, tab } = await openLivePage(
      emulator.url,
      { width: 1400, height: 900 },
      'America/Los_Angeles',
    ));
  });

  after(async () => {
    await context?.close();
    page?.close();
    await emulator?.stop();
  });

  it('shows each card’s time in the bundle’s time zone, labelled, not in the browser’s', async () => {
    const headers = await tab.locator('.msg-meta time').allTextContents();
    assert.deepEqual(headers, Array(4).fill('10:14:30 GMT+8'));
    assert.match(
      (await tab.locator('.msg-meta time').first().getAttribute('title')) ?? '',
      /Asia\/Shanghai$/,
    );
    assert.equal(
      await tab.locator('#time-zone').textContent(),
      "times in Asia/Shanghai, the bundle's time zone",
    );
    assert.match((await tab.locator('#chart-window').textContent()) ?? '', /GMT\+8/);
  });

  it('fits all four robot columns side by side at 1,400 px', async () => {
    const boxes = await tab
      .locator('.column')
      .evaluateAll((columns) => columns.map((c) => c.getBoundingClientRect().toJSON() as Box));
    assert.equal(boxes.length, 4);
    for (const box of boxes) {
      assert.ok(box.left >= 0 && box.right <= 1400, `column at ${box.left}–${box.right} is cut off`);
      assert.equal(box.top, boxes[0]!.top, 'a column wrapped below the others');
    }
  });

  it('scrolls more robots sideways with a visible scrollbar, never the whole page', async () => {
    robots.push({ receiver: 'data-team', key: 'k-data-05' }, { receiver: 'security', key: 'k-sec-06' });
    await tab.reload();
    await tab.locator('.column').nth(5).waitFor();
    const row = await tab.locator('#columns').evaluate((element) => ({
      scrollWidth: element.scrollWidth,
      clientWidth: element.clientWidth,
      scrollbarHeight: (element as unknown as { offsetHeight: number }).offsetHeight - element.clientHeight,
    }));
    assert.ok(row.scrollWidth > row.clientWidth, 'six columns should not fit in 1,400 px');
    assert.ok(row.scrollbarHeight > 0, 'the row scrolls, but shows no scrollbar');
    const pageWidth = await tab.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(pageWidth <= 1400, `the page itself is ${pageWidth} px wide`);
  });
});
