import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compileRenderer } from '../../../functions/render/index.ts';
import { bundle, bytes, content, event, mentions, renderer } from './builders.ts';

const NONE = mentions();

/** An event whose markdown content is exactly `total` bytes (the message is the only variable part). */
function eventOfSize(receiver: string, total: number, unit = 'x') {
  const base = bytes(content(renderer().renderEvent(receiver, event({ message: '' }), NONE)[0]!));
  const withOne = bytes(content(renderer().renderEvent(receiver, event({ message: unit }), NONE)[0]!));
  const perUnit = bytes(unit);
  const fixed = withOne - perUnit;
  assert.ok(base < withOne);
  const count = Math.floor((total - fixed) / perUnit);
  return { ev: event({ message: unit.repeat(count) }), exact: fixed + count * perUnit };
}

const TRUNCATED = /…\(truncated, (\d+) bytes\)/;

describe('fitting a single event', () => {
  for (const [receiver, limit] of [
    ['md', 4096],
    ['v2', 4096],
    ['text', 2048],
  ] as const) {
    it(`${receiver}: ${limit - 1} and ${limit} bytes pass untouched, ${limit + 1} is cut to fit with a marker`, () => {
      for (const total of [limit - 1, limit]) {
        const { ev, exact } = eventOfSize(receiver, total);
        assert.equal(exact, total);
        const [message] = renderer().renderEvent(receiver, ev, NONE);
        assert.equal(message!.bytes, total);
        assert.doesNotMatch(content(message!), TRUNCATED);
      }
      const { ev, exact } = eventOfSize(receiver, limit + 1);
      assert.equal(exact, limit + 1);
      const [message] = renderer().renderEvent(receiver, ev, NONE);
      const text = content(message!);
      assert.ok(message!.bytes <= limit, `${message!.bytes} > ${limit}`);
      assert.equal(message!.bytes, bytes(text));
      assert.match(text, TRUNCATED);
    });
  }

  it('keeps the header and footer lines: the message is what gets cut', () => {
    const text = content(renderer().renderEvent('md', event({ message: 'y'.repeat(10_000) }), NONE)[0]!);
    assert.match(text, /^<font color="warning">Warning<\/font> \*\*BackOff\*\* · prod-sh\n> Pod/);
    assert.match(text, /…\(truncated, \d+ bytes\)\n<font color="comment">×12 · first/);
    assert.ok(bytes(text) <= 4096 && bytes(text) > 4000, String(bytes(text)));
  });

  it('reports the number of bytes it left out', () => {
    const message = 'z'.repeat(5000);
    const text = content(renderer().renderEvent('md', event({ message }), NONE)[0]!);
    const kept = /\n(z+)…/.exec(text)![1]!.length;
    assert.equal(Number(TRUNCATED.exec(text)![1]), 5000 - kept);
  });

  for (const [name, unit] of [
    ['3-byte Chinese characters', '中'],
    ['4-byte emoji (surrogate pairs)', '🔥'],
    ['2-byte characters', 'é'],
  ] as const) {
    it(`never splits ${name} straddling the limit`, () => {
      for (let shift = 0; shift < 4; shift++) {
        const ev = event({ message: 'a'.repeat(shift) + unit.repeat(2000) });
        for (const receiver of ['md', 'text']) {
          const text = content(renderer().renderEvent(receiver, ev, NONE)[0]!);
          assert.ok(bytes(text) <= (receiver === 'md' ? 4096 : 2048));
          assert.ok((text as unknown as { isWellFormed(): boolean }).isWellFormed());
          assert.ok(!text.includes('\uFFFD'));
          assert.match(text, new RegExp(`${unit}…\\(truncated`, 'u'));
        }
      }
    });
  }

  it("counts the bytes of the event's message left out, not of its escaped form", () => {
    for (const [receiver, unit, escaped] of [
      ['md', '<', '＜'],
      ['text', '<', '＜'],
      ['md', '\t', '\t'],
    ] as const) {
      const message = `x${unit}`.repeat(4000);
      const text = content(renderer().renderEvent(receiver, event({ message }), NONE)[0]!);
      const shown = /\n(x[^\n]*)…\(truncated/.exec(text)![1]!;
      const shownRaw = shown.split('x').length - 1 + (shown.split(escaped).length - 1);
      assert.equal(Number(TRUNCATED.exec(text)![1]), bytes(message) - shownRaw, `${receiver} ${unit}`);
    }
  });

  it('cuts a message hundreds of kilobytes long like a short one', () => {
    const text = content(renderer().renderEvent('md', event({ message: 'y'.repeat(500_000) }), NONE)[0]!);
    assert.ok(bytes(text) <= 4096 && bytes(text) > 4000, String(bytes(text)));
    const kept = /\n(y+)…/.exec(text)![1]!.length;
    assert.equal(Number(TRUNCATED.exec(text)![1]), 500_000 - kept);
    assert.match(text, /…\(truncated, \d+ bytes\)\n<font color="comment">×12 · first/);
  });

  it('never splits an escape: look-alikes are whole characters', () => {
    const text = content(renderer().renderEvent('md', event({ message: '<'.repeat(3000) }), NONE)[0]!);
    assert.ok(bytes(text) <= 4096);
    assert.match(text, /＜…\(truncated/);
    assert.doesNotMatch(text, /<(?!font|\/font)/);
  });

  it('a cut right after an intra-word underscore does not leave an emphasis underscore', () => {
    for (let shift = 0; shift < 3; shift++) {
      const text = content(
        renderer().renderEvent('md', event({ message: 'x'.repeat(shift) + 'a_b'.repeat(3000) }), NONE)[0]!,
      );
      assert.ok(bytes(text) <= 4096);
      assert.doesNotMatch(text, /_…/);
    }
  });

  it('honours a lower receiver maxBytes', () => {
    const r = compileRenderer(
      bundle({ receivers: { small: { webhook: 'env:S', msgtype: 'markdown', maxBytes: 600 } } }),
    );
    const [message] = r.renderEvent('small', event({ message: 'm'.repeat(3000) }), NONE);
    assert.ok(message!.bytes <= 600);
    assert.match(content(message!), TRUNCATED);
  });

  it('counts <@userid> mentions against the limit', () => {
    const users = Array.from({ length: 20 }, (_, i) => `user${i}`);
    const [message] = renderer().renderEvent('md', event({ message: 'q'.repeat(5000) }), mentions({ users }));
    const text = content(message!);
    assert.ok(bytes(text) <= 4096);
    assert.match(text, /<@user19>$/);
  });

  it('moves a mention list too large for the content into the extra text message', () => {
    const users = Array.from({ length: 200 }, (_, i) => `a-long-user-id-${i}`);
    const messages = renderer().renderEvent('md', event(), mentions({ users }));
    assert.equal(messages.length, 2);
    assert.doesNotMatch(content(messages[0]!), /<@/);
    assert.equal((messages[1]!.body.text as { mentioned_list: string[] }).mentioned_list.length, 200);
  });

  it('cuts the tail when the bulk is not the message (custom template), keeping the first lines', () => {
    const r = compileRenderer(
      bundle({
        receivers: { p: { webhook: 'env:P', template: 't' } },
        templates: { t: 'Head <%= it.reason %>\n<%= it.name %>' },
      }),
    );
    const text = content(r.renderEvent('p', event({ name: 'n'.repeat(6000) }), NONE)[0]!);
    assert.ok(bytes(text) <= 4096);
    assert.match(text, /^Head BackOff\n/);
    assert.match(text, TRUNCATED);
  });

  it('no message ever leaves over its limit, whatever the event (property)', () => {
    const r = renderer();
    const messageText = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 3000 }),
      fc.string({ unit: fc.constantFrom('中', '🔥', '<', '\n', 'a', '\t', '_', '&'), maxLength: 3000 }),
    );
    fc.assert(
      fc.property(
        messageText,
        fc.string({ maxLength: 300 }),
        fc.constantFrom('md', 'text', 'v2'),
        (message, name, receiver) => {
          const limit = receiver === 'text' ? 2048 : 4096;
          for (const rendered of r.renderEvent(
            receiver,
            event({ message, name }),
            mentions({ users: ['u1'], mobiles: ['13800001111'] }),
          )) {
            assert.ok(rendered.bytes <= limit, `${rendered.bytes} > ${limit}`);
            assert.equal(rendered.bytes, bytes(content(rendered)));
            assert.ok(content(rendered).trim().length > 0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
