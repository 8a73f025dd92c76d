import { decodeEnvelope, normalizeEvent } from '../contracts/index.ts';
import type { NormalizedEvent } from '../contracts/index.ts';
import { BUILTIN_SOURCES, compileRenderer } from '../functions/render/index.ts';
import type { RenderedMessage } from '../functions/render/index.ts';
import { bundleSchema } from '../functions/bundle/index.ts';
import { generateCorpus } from './corpus.ts';
import { medianMs } from './measure.ts';
import type { BenchResult } from './measure.ts';

const NO_MENTIONS = { users: [], mobiles: [], all: false };
const MENTIONS = { users: ['wangqing', 'lisi'], mobiles: ['13800001111'], all: false };

/**
 * Render throughput over the seeded corpus: single-event markdown messages (template, escaping, fitting, body),
 * 50-event digests, and the cost of fitting: an over-long event (message shrinking) and an over-long digest
 * (splitting into parts). The floor is `JSON.stringify` of the rendered bodies, which sending does anyway.
 */
export async function benchRender(opts: { quick: boolean }): Promise<BenchResult[]> {
  const size = 10_000;
  const events = generateCorpus(size).map((envelope) =>
    normalizeEvent(decodeEnvelope(JSON.stringify(envelope))),
  );
  const bundle = bundleSchema.parse({
    version: 1,
    timezone: 'Asia/Shanghai',
    receivers: {
      md: { webhook: 'env:WECOM_MD', msgtype: 'markdown' },
      text: { webhook: 'env:WECOM_TEXT', msgtype: 'text' },
      // The built-in markdown template given as the operator's own: the same work, plus the time limit every
      // operator template renders under (a node:vm timeout, whose watchdog thread is what this row measures).
      own: { webhook: 'env:WECOM_OWN', msgtype: 'markdown', template: 'own' },
      ...CHANNEL_RECEIVERS,
    },
    templates: { own: BUILTIN_SOURCES['builtin/markdown'] },
    routes: [],
  });
  // A fixed clock read as cheaply as Date.now is in the function: parsing the date on every read cost the renders
  // about a tenth of their time, which the function never pays.
  const now = Date.parse('2026-11-27T10:08:00Z');
  const renderer = compileRenderer(bundle, { now: () => now });
  const runs = opts.quick ? 3 : 11;
  const digests = chunks(events, 50);
  const long: NormalizedEvent[] = events
    .slice(0, 200)
    .map((e) => ({ ...e, message: '容器启动失败 <retry> [x] '.repeat(400) }));
  const longDigests = chunks(
    events.slice(0, 2_000).map((e) => ({ ...e, message: `${e.message} ${'x'.repeat(400)}` })),
    50,
  );

  let sink = 0;
  const bodies: RenderedMessage[] = events.map((e) => renderer.renderEvent('md', e, NO_MENTIONS)[0]!);
  const floor = medianMs(() => {
    for (const message of bodies) sink += JSON.stringify(message.body).length;
  }, runs);
  const single = medianMs(() => {
    for (const event of events) sink += renderer.renderEvent('md', event, NO_MENTIONS).length;
  }, runs);
  const bounded = medianMs(() => {
    for (const event of events) sink += renderer.renderEvent('own', event, NO_MENTIONS).length;
  }, runs);
  const mentioned = medianMs(() => {
    for (const event of events) sink += renderer.renderEvent('md', event, MENTIONS).length;
  }, runs);
  const text = medianMs(() => {
    for (const event of events) sink += renderer.renderEvent('text', event, NO_MENTIONS).length;
  }, runs);
  const digest = medianMs(() => {
    for (const group of digests) sink += renderer.renderDigest('md', group, {}, NO_MENTIONS).length;
  }, runs);
  const fitEvent = medianMs(() => {
    for (const event of long) sink += renderer.renderEvent('md', event, NO_MENTIONS).length;
  }, runs);
  const split = medianMs(() => {
    for (const group of longDigests) sink += renderer.renderDigest('md', group, {}, NO_MENTIONS).length;
  }, runs);
  const perChannel = Object.keys(CHANNEL_RECEIVERS).map((receiver) => ({
    receiver,
    ms: medianMs(() => {
      for (const event of events) sink += renderer.renderEvent(receiver, event, MENTIONS).length;
    }, runs),
  }));
  if (sink < 0) console.log(sink);

  const rate = (count: number, ms: number) => Math.round(count / (ms / 1000));
  return [
    {
      case: 'render floor: JSON.stringify of 10,000 markdown bodies',
      value: rate(size, floor),
      unit: 'bodies/s',
    },
    {
      case: 'render: 10,000 single-event markdown messages',
      value: rate(size, single),
      unit: 'messages/s',
      target: '≥ 150000',
      floor,
      ratio: single / floor,
    },
    {
      case: 'render: the same with an operator template (time-limited)',
      value: rate(size, bounded),
      unit: 'messages/s',
      floor,
      ratio: bounded / floor,
    },
    {
      case: 'render: single-event markdown with @users and a mobile',
      value: rate(size, mentioned),
      unit: 'events/s',
      floor,
      ratio: mentioned / floor,
    },
    { case: 'render: 10,000 single-event text messages', value: rate(size, text), unit: 'messages/s' },
    { case: 'render: 50-event markdown digests', value: rate(digests.length, digest), unit: 'digests/s' },
    {
      case: 'fit: over-long event (10 KB message shrunk to 4096 B)',
      value: rate(long.length, fitEvent),
      unit: 'messages/s',
    },
    {
      case: 'fit: over-long 50-event digest split into parts',
      value: rate(longDigests.length, split),
      unit: 'digests/s',
    },
    ...perChannel.map(({ receiver, ms }) => ({
      case: `render: 10,000 single-event ${CHANNEL_RECEIVERS[receiver]!.channel} ${CHANNEL_RECEIVERS[receiver]!.msgtype ?? 'body'} messages with mentions`,
      value: rate(size, ms),
      unit: 'messages/s',
      floor,
      ratio: ms / floor,
    })),
  ];
}

/** One receiver per channel besides WeCom, with what costs there: signing room, keywords, recipients, a body. */
const CHANNEL_RECEIVERS: Record<string, { channel: string; msgtype?: string } & Record<string, unknown>> = {
  dingtalk: { channel: 'dingtalk', webhook: 'env:DT', msgtype: 'markdown', keywords: ['k8s'] },
  feishu: { channel: 'feishu', webhook: 'env:FS', msgtype: 'post', secret: 'env:FS_SECRET' },
  'wecom-app': {
    channel: 'wecom-app',
    webhook: 'https://qyapi.weixin.qq.com',
    msgtype: 'markdown',
    corpId: 'ww1',
    corpSecret: 'env:APP_SECRET',
    agentId: 1000002,
  },
  webhook: {
    channel: 'webhook',
    webhook: 'https://hooks.example.com/k8s',
    allowedHosts: ['hooks.example.com'],
    body: '{"title":"{{ title }}","pod":"{{ .InvolvedObject.Name }}","text":"{{ text }}"}',
  },
};

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
