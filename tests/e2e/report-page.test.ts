import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { runReport } from '../../cli/report/run.ts';
import type { ReportFigures } from '../../local/report/figures.ts';
import { launchChromium } from '../harness/chromium/index.ts';

const CAPTURE = fileURLToPath(new URL('../../local/incident/capture.jsonl', import.meta.url));
const BUNDLE = fileURLToPath(new URL('../../config/example.json', import.meta.url));
const SCREENSHOT = fileURLToPath(new URL('../../docs/assets/report-page.png', import.meta.url));

const noInput = { async *[Symbol.asyncIterator]() {} };
function output() {
  let text = '';
  return { write: (chunk: string) => void (text += chunk), text: () => text };
}

describe('report --html in Chromium', () => {
  let dir: string;
  let figures: ReportFigures;
  let context: BrowserContext;
  let page: Page;
  const requests: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'report-page-'));
    const html = join(dir, 'report.html');
    const stdout = output();
    const code = await runReport(
      { config: BUNDLE, events: CAPTURE, cluster: 'prod-sh', html, json: true },
      { stdin: noInput, stdout, stderr: output() },
    );
    assert.equal(code, 0);
    figures = JSON.parse(stdout.text()) as ReportFigures;
    context = await launchChromium({ width: 1100, height: 900 });
    page = await context.newPage();
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(html).href);
  });
  after(async () => {
    await page?.screenshot({ path: SCREENSHOT, fullPage: false });
    await context?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('loads nothing but itself', () => {
    assert.deepEqual(
      requests.filter((url) => !url.startsWith('file:') && !url.startsWith('data:')),
      [],
    );
  });

  it('draws one chart per robot, a bar for every minute with messages, and the robot’s limit line', async () => {
    const charts = await page.locator('section[data-robot]').evaluateAll((sections) =>
      sections.map((section) => ({
        robot: section.getAttribute('data-robot'),
        bars: [...section.querySelectorAll('svg rect')].map(
          (rect) => rect.querySelector('title')!.textContent,
        ),
        limit: section.querySelector('svg .limit-label')?.textContent,
        visible: section.querySelector('svg')!.getBoundingClientRect().height > 100,
      })),
    );
    assert.deepEqual(
      charts.map((chart) => chart.robot),
      figures.robots.map((robot) => robot.robot),
    );
    charts.forEach((chart, i) => {
      const robot = figures.robots[i]!;
      const busy = robot.perMinute.filter((minute) => minute.messages > 0);
      assert.equal(chart.bars.length, busy.length, robot.robot);
      assert.deepEqual(
        chart.bars.map((title) => Number(title!.slice(`${robot.robot}: `.length).split(' ')[0])),
        busy.map((minute) => minute.messages),
      );
      assert.equal(chart.limit, `${robot.limitPerMinute}/min`);
      assert.ok(chart.visible, `${robot.robot}'s chart is drawn`);
    });
    assert.ok(
      charts.some((chart) => chart.bars.length > 0),
      'the incident sends messages',
    );
  });

  it('tabulates routes and receivers with the report’s figures', async () => {
    const rows = async (label: string) =>
      page
        .locator(`section[aria-label="${label}"] tbody tr`)
        .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    const routes = await rows('Routes');
    assert.deepEqual(
      routes.map((row) => [row[0], Number(row[1]), Number(row[2])]),
      figures.routes.map((route) => [route.route, route.eventsMatched, route.notifications]),
    );
    const receivers = await rows('Receivers');
    assert.deepEqual(
      receivers.map((row) => [row[0], Number(row[2]), Number(row[4])]),
      figures.receivers.map((r) => [r.receiver, r.messages, r.busiestMinute.messages]),
    );
    const counters = await page.locator('.counter').allTextContents();
    assert.ok(counters.includes(`messages${figures.totals.sent}`), counters.join(' | '));
  });
});
