import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compileRenderer, trialRenderTemplates } from '../../../functions/render/index.ts';
import { bundle, bytes, content, event, mentions, renderer } from './builders.ts';

const NONE = mentions();
const events = (n: number, message = (i: number) => `container crashed, attempt ${i}`) =>
  Array.from({ length: n }, (_, i) =>
    event({
      name: `api-${i}`,
      reason: i % 2 ? 'BackOff' : 'Unhealthy',
      type: i % 3 ? 'Warning' : 'Normal',
      message: message(i),
    }),
  );

/** What the trial render says about receiver `name`'s body template, or '' when it is fine. */
function bodyProblem(input: ReturnType<typeof bundle>, name: string): string {
  return trialRenderTemplates(input, name).find((problem) => problem.field === 'bodyTemplate')?.message ?? '';
}

describe('digests', () => {
  it('a digest that fits is one message without a part label, covering every event', () => {
    const messages = renderer().renderDigest('md', events(3), { namespace: 'pay' }, NONE);
    assert.equal(messages.length, 1);
    assert.deepEqual(messages[0]!.covers, [0, 1, 2]);
    const text = content(messages[0]!);
    assert.match(
      text,
      /^\*\*prod-sh: 3 events\*\* · <font color="warning">2 Warning<\/font>\n<font color="comment">namespace=pay<\/font>\n/,
    );
    assert.doesNotMatch(text, /\(1\/1\)/);
    assert.equal(text.match(/●/g)?.length, 3);
  });

  for (const [receiver, limit] of [
    ['md', 4096],
    ['v2', 4096],
    ['text', 2048],
  ] as const) {
    it(`${receiver}: a long digest splits at event boundaries into (i/n) parts that cover every event once`, () => {
      const list = events(60, (i) => `${i} `.repeat(60));
      const messages = renderer().renderDigest(receiver, list, {}, NONE);
      assert.ok(messages.length > 1);
      const n = messages.length;
      messages.forEach((message, i) => {
        assert.ok(message.bytes <= limit, `${message.bytes} > ${limit}`);
        assert.ok(content(message).includes(`(${i + 1}/${n})`));
        assert.doesNotMatch(content(message), /truncated/);
      });
      assert.deepEqual(
        messages.flatMap((m) => m.covers),
        list.map((_, i) => i),
      );
    });
  }

  it('packs parts greedily: no part could have taken the next event', () => {
    const list = events(40, (i) => 'w'.repeat(200 + ((i * 37) % 150)));
    const messages = renderer().renderDigest('md', list, {}, NONE);
    for (let i = 0; i < messages.length - 1; i++) {
      const covers = messages[i]!.covers;
      const grown = renderer().renderDigest('md', list.slice(covers[0]!, covers.at(-1)! + 2), {}, NONE);
      assert.ok(grown.length > 1, `part ${i + 1} could hold one more event`);
    }
  });

  it('numbers events across parts in the text digest', () => {
    const messages = renderer().renderDigest(
      'text',
      events(40, () => 'v'.repeat(150)),
      {},
      NONE,
    );
    assert.ok(messages.length > 1);
    const second = messages[1]!;
    assert.ok(content(second).includes(`\n${second.covers[0]! + 1}. [`));
  });

  it('adds the part label when a custom digest template does not print it', () => {
    const r = compileRenderer(
      bundle({
        receivers: { p: { webhook: 'env:P', msgtype: 'text', digestTemplate: 'd' } },
        templates: { d: '<% it.events.forEach((e) => { %><%= e.message %>\n<% }) %>' },
      }),
    );
    const messages = r.renderDigest(
      'p',
      events(30, () => 'u'.repeat(300)),
      {},
      NONE,
    );
    assert.ok(messages.length > 1);
    messages.forEach((m, i) => assert.match(content(m), new RegExp(`\\n\\(${i + 1}/${messages.length}\\)$`)));
  });

  it('a single event too long for any part is cut, not dropped', () => {
    const r = compileRenderer(
      bundle({
        receivers: { p: { webhook: 'env:P', digestTemplate: 'd' } },
        templates: { d: '<% it.events.forEach((e) => { %><%= e.message %>\n<% }) %>' },
      }),
    );
    const list = [
      event({ message: 'short' }),
      event({ message: 'L'.repeat(9000) }),
      event({ message: 'tail' }),
    ];
    const messages = r.renderDigest('p', list, {}, NONE);
    assert.deepEqual(
      messages.map((m) => m.covers),
      [[0], [1], [2]],
    );
    assert.ok(messages.every((m) => m.bytes <= 4096));
    assert.match(content(messages[1]!), /truncated/);
  });

  it('mentions: <@userid> on the first part only, one extra text message for phones covering the whole digest', () => {
    const list = events(60, (i) => `${i} `.repeat(60));
    const messages = renderer().renderDigest(
      'md',
      list,
      {},
      mentions({ users: ['wangqing'], mobiles: ['13800001111'] }),
    );
    const extra = messages.at(-1)!;
    assert.equal(extra.msgtype, 'text');
    assert.deepEqual(
      extra.covers,
      list.map((_, i) => i),
    );
    assert.match(
      (extra.body.text as { content: string }).content,
      /^⚠ prod-sh: 60 events \(Unhealthy, BackOff\)$/,
    );
    const parts = messages.slice(0, -1);
    assert.match(content(parts[0]!), /<@wangqing>$/);
    assert.ok(parts.slice(1).every((m) => !content(m).includes('<@')));
    assert.ok(parts.every((m) => m.bytes <= 4096));
  });
});

describe('digests within a message budget (maxMessages)', () => {
  const list = events(60, (i) => `${i} `.repeat(60));

  it('a digest that needs no more messages than allowed is rendered as without a limit', () => {
    const unlimited = renderer().renderDigest('md', list, {}, NONE);
    const limited = renderer().renderDigest('md', list, {}, NONE, { maxMessages: unlimited.length });
    assert.deepEqual(limited, unlimited);
  });

  it('a digest that needs more is cut after maxMessages - 1 parts, labelled by the parts sent, leaving the rest uncovered', () => {
    const unlimited = renderer().renderDigest('md', list, {}, NONE);
    assert.ok(unlimited.length >= 4, `${unlimited.length} parts`);
    const limited = renderer().renderDigest('md', list, {}, NONE, { maxMessages: 3 });
    assert.equal(limited.length, 2);
    limited.forEach((message, i) => {
      assert.ok(message.bytes <= 4096);
      assert.ok(content(message).includes(`(${i + 1}/2)`));
      assert.deepEqual(message.covers, unlimited[i]!.covers);
    });
    const covered = limited.flatMap((m) => m.covers);
    assert.deepEqual(
      covered,
      list.slice(0, covered.length).map((_, i) => i),
    );
    assert.ok(covered.length < list.length);
  });

  it('a cut digest leaves the extra mention message to the summary; a whole one keeps it within the limit', () => {
    const phones = mentions({ users: ['wangqing'], mobiles: ['13800001111'] });
    const unlimited = renderer().renderDigest('md', list, {}, phones);
    const whole = renderer().renderDigest('md', list, {}, phones, { maxMessages: unlimited.length });
    assert.deepEqual(whole, unlimited);
    const cut = renderer().renderDigest('md', list, {}, phones, { maxMessages: unlimited.length - 1 });
    assert.equal(cut.length, unlimited.length - 2);
    assert.ok(cut.every((m) => m.msgtype === 'markdown'));
    assert.match(content(cut[0]!), /<@wangqing>$/);
  });

  it('one message allowed: a digest too long for it renders nothing, for the summary to cover', () => {
    assert.deepEqual(renderer().renderDigest('md', list, {}, NONE, { maxMessages: 1 }), []);
    const short = events(3);
    assert.equal(renderer().renderDigest('md', short, {}, NONE, { maxMessages: 1 }).length, 1);
  });
});

describe('digests within a message budget, for any event sizes', () => {
  it('either renders the whole digest as without a limit, or cuts one that needs more than allowed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 900 }), { minLength: 2, maxLength: 150 }),
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom('md', 'text'),
        (sizes, maxMessages, receiver) => {
          const list = events(sizes.length, (i) => 'm'.repeat(sizes[i]!));
          const unlimited = renderer().renderDigest(receiver, list, {}, NONE);
          const limited = renderer().renderDigest(receiver, list, {}, NONE, { maxMessages });
          if (unlimited.length <= maxMessages) {
            assert.deepEqual(limited, unlimited);
            return;
          }
          assert.equal(limited.length, maxMessages - 1);
          const covered = limited.flatMap((m) => m.covers);
          assert.deepEqual(
            covered,
            covered.map((_, i) => i),
          );
          limited.forEach((message, i) => {
            assert.ok(message.bytes <= (receiver === 'md' ? 4096 : 2048));
            assert.ok(content(message).includes(`(${i + 1}/${limited.length})`));
          });
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('overflow summary', () => {
  it('is one message with counts by reason and namespace, covering every event', () => {
    const list = [
      ...events(5).map((e) => ({ ...e, namespace: 'pay' })),
      ...events(2).map((e) => ({ ...e, namespace: '', kind: 'Node' })),
    ];
    const message = renderer().renderOverflow(
      'md',
      list,
      mentions({ users: ['wangqing'], mobiles: ['13800001111'] }),
    );
    assert.deepEqual(message.covers, [0, 1, 2, 3, 4, 5, 6]);
    const text = content(message);
    assert.match(text, /^\*\*prod-sh: \+7 more events\*\*/);
    assert.match(text, /\*\*By reason\*\*: Unhealthy 4 · BackOff 3/);
    assert.match(text, /\*\*By namespace\*\*: pay 5 · \(cluster-scoped\) 2/);
    assert.match(text, /<@wangqing>$/);
  });

  it('fits the limit however many distinct reasons there are, and escapes them', () => {
    const list = Array.from({ length: 3000 }, (_, i) =>
      event({ reason: `<@all>Reason${i}${'r'.repeat(50)}`, namespace: `ns-${i}` }),
    );
    for (const receiver of ['md', 'text', 'v2']) {
      const message = renderer().renderOverflow(receiver, list, NONE);
      assert.ok(message.bytes <= (receiver === 'text' ? 2048 : 4096));
      assert.doesNotMatch(content(message), /<@/);
      assert.equal(message.covers.length, 3000);
    }
  });
});

describe('full-body templates', () => {
  const kubeEventer =
    '{"msgtype":"text","text":{"content":"[<%= it.type %>] <%= it.reason %> <%= it.namespace %>/<%= it.name %>: <%= it.message %>"}}';
  const withBody = (template: string, msgtype = 'text') =>
    bundle({
      receivers: { k: { webhook: 'env:K', msgtype: msgtype as 'text', bodyTemplate: 'body' } },
      templates: { body: template },
    });

  it('values are JSON-escaped, so quotes, backslashes and newlines in events keep the JSON valid', () => {
    const r = compileRenderer(withBody(kubeEventer));
    const [message] = r.renderEvent(
      'k',
      event({ message: 'say "hi"\\ \n\tnext <@all>' }),
      mentions({ users: ['wangqing'] }),
    );
    assert.equal(message!.msgtype, 'text');
    assert.equal(
      content(message!),
      '[Warning] BackOff pay/api-7d9f8c6b5-x2x8q: say "hi"\\ \n\tnext ＜@all＞',
    );
    assert.deepEqual((message!.body.text as { mentioned_list: string[] }).mentioned_list, ['wangqing']);
  });

  it('its content is still fitted to the limit', () => {
    const r = compileRenderer(withBody(kubeEventer));
    const [message] = r.renderEvent('k', event({ message: 'x'.repeat(9000) }), NONE);
    assert.ok(message!.bytes <= 2048);
    assert.match(content(message!), /^\[Warning\] BackOff .*…\(truncated, \d+ bytes\)$/s);
  });

  it('the trial render accepts a body template that renders valid JSON', () => {
    assert.deepEqual(trialRenderTemplates(withBody(kubeEventer), 'k'), []);
    assert.deepEqual(trialRenderTemplates(bundle(), 'md'), []);
  });

  it('the trial render rejects raw interpolation that breaks the JSON on a realistic message', () => {
    const problem = bodyProblem(
      withBody(kubeEventer.replace('<%= it.message %>', '<%~ it.message %>')),
      'k',
    );
    assert.match(problem ?? '', /does not render valid JSON/);
  });

  it('the trial render rejects a msgtype other than the receiver’s, an unknown msgtype and a broken template', () => {
    assert.match(
      bodyProblem(withBody(kubeEventer, 'markdown'), 'k'),
      /msgtype "text" but the receiver's msgtype is "markdown"/,
    );
    assert.match(
      bodyProblem(withBody('{"msgtype":"nope","nope":{}}'), 'k'),
      /"msgtype" must be one of/,
    );
    assert.match(bodyProblem(withBody('{"msgtype":"text","text":{"content":""}}'), 'k'), /44004/);
    assert.match(bodyProblem(withBody('{"a": <%= it.x'), 'k'), /does not compile/);
  });

  it('a body that fails on an event falls back to the built-in message', () => {
    const r = compileRenderer(withBody('{"msgtype":"text","text":{"content":"<%~ it.message %>"}}'));
    const [message] = r.renderEvent('k', event({ message: 'a "quoted" word' }), NONE);
    assert.match(message!.templateError!, /does not render valid JSON/);
    assert.match(content(message!), /^\[Warning\] BackOff/);
  });

  it('serves digests too: the same template sees it.events', () => {
    const digestBody =
      '{"msgtype":"text","text":{"content":"<%= it.total %> events: <%= it.events.map((e) => e.reason).join(", ") %>"}}';
    const r = compileRenderer(withBody(digestBody));
    const [message] = r.renderDigest('k', events(3), {}, NONE);
    assert.equal(content(message!), '3 events: Unhealthy, BackOff, Unhealthy');
    assert.equal(bytes(content(message!)), message!.bytes);
  });
});

describe('renderingOf', () => {
  it('names receivers alike when templates, msgtype and limits are, and apart when any differs', () => {
    const r = renderer({
      templates: { short: '<%= it.reason %>' },
      receivers: {
        md2: { webhook: 'env:WECOM_MD2', msgtype: 'markdown' },
        small: { webhook: 'env:WECOM_SMALL', msgtype: 'markdown', maxBytes: 1000 },
        own: { webhook: 'env:WECOM_OWN', msgtype: 'markdown', template: 'short' },
        slow: { webhook: 'env:WECOM_SLOW', msgtype: 'markdown', maxMessagesPerMinute: 5 },
      },
    });
    assert.equal(r.renderingOf('md2'), r.renderingOf('md'));
    for (const other of ['text', 'v2', 'small', 'own', 'slow']) {
      assert.notEqual(r.renderingOf(other), r.renderingOf('md'), other);
    }
    const list = events(30);
    const strip = (messages: ReturnType<typeof r.renderDigest>) =>
      messages.map(({ receiver: _receiver, ...message }) => message);
    assert.deepEqual(
      strip(r.renderDigest('md2', list, {}, NONE)),
      strip(r.renderDigest('md', list, {}, NONE)),
    );
  });
});
