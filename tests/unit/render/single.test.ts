import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compileRenderer, RenderError } from '../../../functions/render/index.ts';
import { NOW, bundle, content, event, mentions, renderer } from './builders.ts';

const NONE = mentions();

describe('built-in templates', () => {
  it('markdown: a body built in code with cluster, severity colour, object, reason, message, count and local times', () => {
    const [message, ...rest] = renderer().renderEvent('md', event(), NONE);
    assert.equal(rest.length, 0);
    assert.deepEqual(Object.keys(message!.body), ['msgtype', 'markdown']);
    assert.equal(message!.msgtype, 'markdown');
    assert.deepEqual(message!.covers, [0]);
    const text = content(message!);
    assert.match(text, /^<font color="warning">Warning<\/font> \*\*BackOff\*\* · prod-sh\n/);
    assert.match(text, /\n> Pod \*\*pay\/api-7d9f8c6b5-x2x8q\*\*\n/);
    assert.match(text, /Back-off restarting failed container "api"/);
    assert.match(text, /×12 · first 2026-11-27 18:00:00 · last 2026-11-27 18:05:00 \(3m ago\)/);
    assert.equal(message!.bytes, Buffer.byteLength(text));
  });

  it('markdown: Normal events are green (info), other types grey (comment)', () => {
    assert.match(
      content(renderer().renderEvent('md', event({ type: 'Normal' }), NONE)[0]!),
      /^<font color="info">/,
    );
    assert.match(
      content(renderer().renderEvent('md', event({ type: 'Odd' }), NONE)[0]!),
      /^<font color="comment">/,
    );
  });

  it('markdown_v2: a heading and a list, no font colours', () => {
    const text = content(renderer().renderEvent('v2', event(), NONE)[0]!);
    assert.match(text, /^### ⚠️ Warning: BackOff\n/);
    assert.match(text, /\n- Last seen: 2026-11-27 18:05:00 \(3m ago\)/);
    assert.doesNotMatch(text, /<font/);
  });

  it('text: plain lines, no markup', () => {
    const [message] = renderer().renderEvent('text', event(), NONE);
    assert.deepEqual(Object.keys(message!.body), ['msgtype', 'text']);
    const text = content(message!);
    assert.match(text, /^\[Warning\] BackOff · prod-sh\nPod pay\/api-7d9f8c6b5-x2x8q\n/);
    assert.doesNotMatch(text, /<font|\*\*/);
  });

  it('renders Chinese text and emoji intact in every msgtype', () => {
    const zh = event({
      reason: '探针失败',
      message: '就绪探针失败：HTTP 探测返回状态码 503，服务暂不可用 🔥',
      namespace: '支付',
    });
    for (const receiver of ['md', 'text', 'v2']) {
      const text = content(renderer().renderEvent(receiver, zh, NONE)[0]!);
      assert.ok(text.includes('就绪探针失败：HTTP 探测返回状态码 503，服务暂不可用 🔥'), receiver);
      assert.ok(text.includes('探针失败') && text.includes('支付/'), receiver);
    }
  });

  it('shows cluster-scoped objects without a namespace', () => {
    const text = content(
      renderer().renderEvent('md', event({ kind: 'Node', namespace: '', name: 'node-1' }), NONE)[0]!,
    );
    assert.match(text, /\n> Node \*\*node-1\*\*\n/);
  });
});

describe('hostile event text', () => {
  const hostile = event({
    reason: '<@all>',
    message:
      '[x](http://evil) <font color="info">ok</font>\n# heading\n> quote\n```\ncode\n``` **bold** {{ it.x }} <% it.x %> ${process.exit()} \u0000 \ud800',
    name: '**x**',
    namespace: '<@wangqing>',
    cluster: '# c',
    component: '`kubelet`',
    host: '<font color="warning">',
  });

  it('markdown: cannot mention, link, colour, head, quote, fence or embolden', () => {
    const text = content(renderer().renderEvent('md', hostile, NONE)[0]!);
    assert.doesNotMatch(text, /<@/);
    assert.doesNotMatch(text, /\]\(/);
    assert.equal(text.match(/<font/g)?.length, 3, 'only the template’s own font tags');
    assert.equal(text.match(/\*\*/g)?.length, 4, 'only the template’s own bold');
    assert.equal(
      text.split('\n').filter((line) => line.startsWith('>')).length,
      1,
      'only the template’s quote',
    );
    assert.ok(!text.split('\n').some((line) => line.startsWith('#') || line.startsWith('```')));
    assert.ok(
      text.includes('{{ it.x }} ＜% it.x %＞ ${process.exit()}'),
      'template syntax in events is inert text',
    );
  });

  it('markdown_v2: the same guarantees without font tags', () => {
    const text = content(renderer().renderEvent('v2', hostile, NONE)[0]!);
    assert.doesNotMatch(text, /<@|<font|\]\(/);
    assert.equal(
      text.split('\n').filter((line) => line.startsWith('#')).length,
      1,
      'only the template’s heading',
    );
  });

  it('text: no <@ mention syntax; no NUL or lone surrogate reaches the JSON', () => {
    const [message] = renderer().renderEvent('text', hostile, NONE);
    assert.doesNotMatch(content(message!), /<@/);
    const json = JSON.stringify(message!.body);
    assert.doesNotMatch(json, /\\u0000|\\ud800/i);
    assert.deepEqual(JSON.parse(json), message!.body);
  });

  it('a 10 KB message of markup still fits and stays inert', () => {
    const text = content(
      renderer().renderEvent('md', event({ message: '<@all>[x](y)#`*'.repeat(700) }), NONE)[0]!,
    );
    assert.ok(Buffer.byteLength(text) <= 4096);
    assert.doesNotMatch(text, /<@|\]\(/);
    assert.match(text, /…\(truncated, \d+ bytes\)/);
  });
});

describe('mentions', () => {
  const who = mentions({ users: ['wangqing', 'lisi'], mobiles: ['13800001111'] });

  it('text: users and @all go in mentioned_list, phone numbers in mentioned_mobile_list; one message', () => {
    const messages = renderer().renderEvent('text', event(), { ...who, all: true });
    assert.equal(messages.length, 1);
    assert.deepEqual((messages[0]!.body.text as Record<string, unknown>).mentioned_list, [
      '@all',
      'wangqing',
      'lisi',
    ]);
    assert.deepEqual((messages[0]!.body.text as Record<string, unknown>).mentioned_mobile_list, [
      '13800001111',
    ]);
  });

  it('markdown: users as <@userid> in the content, counted in bytes; no lists in the markdown body', () => {
    const [message, ...rest] = renderer().renderEvent(
      'md',
      event(),
      mentions({ users: ['wangqing', 'lisi'] }),
    );
    assert.equal(rest.length, 0);
    assert.match(content(message!), /\n<@wangqing> <@lisi>$/);
    assert.deepEqual(Object.keys(message!.body.markdown as object), ['content']);
    assert.equal(message!.bytes, Buffer.byteLength(content(message!)));
  });

  it('markdown: phone numbers and @all go out as one short, non-empty text message', () => {
    const messages = renderer().renderEvent('md', event(), { ...who, all: true });
    assert.equal(messages.length, 2);
    const extra = messages[1]!;
    assert.equal(extra.msgtype, 'text');
    assert.deepEqual(extra.body, {
      msgtype: 'text',
      text: {
        content: '⚠ BackOff in Pod pay/api-7d9f8c6b5-x2x8q (prod-sh)',
        mentioned_list: ['@all'],
        mentioned_mobile_list: ['13800001111'],
      },
    });
    assert.deepEqual(extra.covers, [0]);
  });

  it('markdown_v2: no mention syntax in the content; everything in the extra text message', () => {
    const messages = renderer().renderEvent('v2', event(), who);
    assert.equal(messages.length, 2);
    assert.doesNotMatch(content(messages[0]!), /<@/);
    assert.deepEqual(messages[1]!.body.text, {
      content: '⚠ BackOff in Pod pay/api-7d9f8c6b5-x2x8q (prod-sh)',
      mentioned_list: ['wangqing', 'lisi'],
      mentioned_mobile_list: ['13800001111'],
    });
  });

  it('drops user ids that are not WeCom ids, and @all given as a user id (only `all: true` means @all)', () => {
    const messages = renderer().renderEvent(
      'md',
      event(),
      mentions({ users: ['ok.user-1', 'x><@all', '@all', 'a b'] }),
    );
    assert.equal(messages.length, 1);
    assert.match(content(messages[0]!), /\n<@ok\.user-1>$/);
  });

  it('no mentions: no extra message for any msgtype', () => {
    for (const receiver of ['md', 'text', 'v2'])
      assert.equal(renderer().renderEvent(receiver, event(), NONE).length, 1);
  });
});

describe('template data and helpers', () => {
  const probe = (timezone: string, template: string, fields = {}) =>
    compileRenderer(
      bundle({
        timezone,
        receivers: { p: { webhook: 'env:P', msgtype: 'text', template: 'probe' } },
        templates: { probe: template },
      }),
      { now: () => NOW },
    ).renderEvent('p', event(fields), NONE);

  it('formats times in the bundle time zone, across daylight saving', () => {
    const t = '<%= it.fmt.time(it.firstSeen) %>';
    assert.equal(content(probe('Asia/Shanghai', t)[0]!), '2026-11-27 18:00:00');
    assert.equal(content(probe('UTC', t)[0]!), '2026-11-27 10:00:00');
    assert.equal(content(probe('America/New_York', t)[0]!), '2026-11-27 05:00:00');
    assert.equal(
      content(probe('America/New_York', t, { firstSeen: '2026-07-01T12:00:00Z' })[0]!),
      '2026-07-01 08:00:00',
    );
    assert.equal(content(probe('Asia/Kolkata', t)[0]!), '2026-11-27 15:30:00');
  });

  it('gives ages against the injected clock and `-` for missing times', () => {
    const t =
      '<%= it.fmt.ago(it.lastSeen) %>|<%= it.fmt.ago(it.firstSeen) %>|<%= it.fmt.time(null) %>|<%= it.fmt.ago("2026-11-26T10:00:00Z") %>';
    assert.equal(content(probe('UTC', t)[0]!), '3m ago|8m ago|-|1d ago');
  });

  it('truncates by bytes without splitting a character, and exposes the raw event', () => {
    const t =
      '<%= it.fmt.truncate("中文字符", 7) %>|<%= it.fmt.bytes("中") %>|<%= it.raw.involvedObject.fieldPath %>|<%= it.color %>|<%= it.object %>';
    assert.equal(content(probe('UTC', t)[0]!), '中…|3|spec.containers{api}|warning|pay/api-7d9f8c6b5-x2x8q');
  });

  it('oneLine with a byte limit is the collapsed line truncated, whatever whitespace and characters the text holds', () => {
    const r = compileRenderer(
      bundle({
        receivers: { p: { webhook: 'env:P', msgtype: 'text', template: 'both' } },
        templates: {
          both: '<%~ JSON.stringify([it.fmt.oneLine(it.message, it.count), it.fmt.truncate(it.fmt.oneLine(it.message), it.count)]) %>',
        },
      }),
    );
    const piece = fc.constantFrom(
      ' ',
      '  ',
      '\n',
      '\t',
      '\u3000',
      'a',
      'bc',
      '中',
      '😀',
      '\ud800',
      'x'.repeat(40),
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 60 }),
        fc.integer({ min: 0, max: 120 }),
        (pieces, maxBytes) => {
          const message = pieces.join('');
          const [limited, reference] = JSON.parse(
            content(r.renderEvent('p', event({ message, count: maxBytes }), NONE)[0]!),
          ) as [string, string];
          assert.equal(limited, reference);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('<%~ %> stays raw for operators who need it, <%= %> escapes', () => {
    const r = compileRenderer(
      bundle({
        receivers: { p: { webhook: 'env:P', template: 'raw' } },
        templates: { raw: '<%~ it.reason %> <%= it.reason %>' },
      }),
    );
    assert.equal(content(r.renderEvent('p', event({ reason: '**x**' }), NONE)[0]!), '**x** ＊＊x＊＊');
  });
});

describe('template failures', () => {
  it('a template that throws on an event falls back to the built-in and says why', () => {
    const r = compileRenderer(
      bundle({
        receivers: { p: { webhook: 'env:P', template: 'bad' } },
        templates: { bad: '<%= it.raw.nothing.here %>' },
      }),
      { now: () => NOW },
    );
    const [message] = r.renderEvent('p', event(), NONE);
    assert.match(content(message!), /^<font color="warning">Warning<\/font> \*\*BackOff\*\*/);
    assert.match(message!.templateError!, /^template "bad" failed: .*here/);
  });

  it('a template that renders nothing falls back too (WeCom rejects empty content with 44004)', () => {
    const r = compileRenderer(
      bundle({
        receivers: { p: { webhook: 'env:P', template: 'empty' } },
        templates: { empty: '<% if (false) { %>x<% } %>' },
      }),
    );
    const [message] = r.renderEvent('p', event(), NONE);
    assert.match(message!.templateError!, /empty content/);
    assert.ok(content(message!).length > 0);
  });

  it('a template that does not compile fails at load with the receiver and template named', () => {
    assert.throws(
      () =>
        compileRenderer(
          bundle({
            receivers: { p: { webhook: 'env:P', template: 'broken' } },
            templates: { broken: '<%= it.reason ' },
          }),
        ),
      (err: unknown) => err instanceof RenderError && err.receiver === 'p' && err.template === 'broken',
    );
  });

  it('an unknown receiver is a RenderError', () => {
    assert.throws(() => renderer().renderEvent('nope', event(), NONE), RenderError);
  });
});
