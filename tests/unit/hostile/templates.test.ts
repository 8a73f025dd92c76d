import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normalizeEvent } from '../../../contracts/index.ts';
import type { NormalizedEvent } from '../../../contracts/index.ts';
import { compileRenderer, escapeMarkdown, utf8Bytes } from '../../../functions/render/index.ts';
import type { RenderedMessage } from '../../../functions/render/index.ts';
import { validateBundle } from '../../../functions/bundle/index.ts';
import type { ResolvedMentions } from '../../../functions/rules/index.ts';
import type { Bundle } from '../../../functions/bundle/index.ts';
import { anEnvelope, NOW } from '../../helpers/builders.ts';

// Event text is untrusted: whatever it holds, through built-in templates and operator templates that interpolate
// every field with <%= %>, it cannot mention, link, mark up, break the JSON body, overflow a limit or run code.

const FIELDS = [
  'type',
  'reason',
  'message',
  'kind',
  'namespace',
  'name',
  'fieldPath',
  'component',
  'host',
  'uid',
  'eventName',
  'eventNamespace',
  'cluster',
  'object',
] as const;
// Each field on its own labelled line: any markup in the output can only come from event text.
const EVERY_FIELD =
  FIELDS.map((field) => `${field}: <%= it.${field} %>`).join('\n') +
  '\nteam: <%= it.namespaceLabels.team %> owners: <%= it.namespaceAnnotations["kube-wecom/owners"] %>' +
  '\nraw: <%= it.raw.involvedObject && it.raw.involvedObject.name %>';
const EVERY_FIELD_DIGEST = `<% it.events.forEach((e) => { %>${EVERY_FIELD.replaceAll('it.', 'e.')}\n<% }) %>`;
// A body template serves digests too, where `it` has no event fields (they render empty), so no nested reads.
const BODY = `{"msgtype":"markdown","markdown":{"content":"${FIELDS.map((f) => `${f}: <%= it.${f} %>`).join('\\n')}"}}`;

const LIMITS = { text: 2048, markdown: 4096, markdown_v2: 4096 } as const;

const BUNDLE: Bundle = (() => {
  const receiver = (msgtype: string, extra: object = {}) => ({ webhook: 'env:WECOM_KEY', msgtype, ...extra });
  const result = validateBundle({
    version: 1,
    receivers: {
      'builtin-text': receiver('text'),
      'builtin-markdown': receiver('markdown'),
      'builtin-v2': receiver('markdown_v2'),
      'fields-text': receiver('text', { template: 'fields', digestTemplate: 'fields-digest' }),
      'fields-markdown': receiver('markdown', { template: 'fields', digestTemplate: 'fields-digest' }),
      'fields-v2': receiver('markdown_v2', {
        template: 'fields',
        digestTemplate: 'fields-digest',
        maxBytes: 1500,
      }),
      'fields-body': receiver('markdown', { bodyTemplate: 'body' }),
    },
    templates: { fields: EVERY_FIELD, 'fields-digest': EVERY_FIELD_DIGEST, body: BODY },
    routes: [],
  });
  if (!result.bundle) throw new Error(JSON.stringify(result.problems));
  return result.bundle;
})();
const RECEIVERS = Object.keys(BUNDLE.receivers);
const renderer = compileRenderer(BUNDLE, { now: () => NOW });
const NO_MENTIONS: ResolvedMentions = { users: [], mobiles: [], all: false };

// Pieces of markup, mention and template syntax, line-start constructs, odd Unicode, and plain text.
const piece = fc.constantFrom(
  '<@all>',
  '<@zhangsan>',
  '<@',
  '@all',
  '[x](http://evil.example)',
  '![i](http://evil.example/i.png)',
  '[',
  '](',
  '<font color="warning">',
  '</font>',
  '# ',
  '### ',
  '> ',
  '- ',
  '+ ',
  '* ',
  '1. ',
  '2) ',
  '    ',
  '\t',
  '**',
  '__',
  '_',
  '`',
  '```',
  '~~',
  '|',
  '---',
  '===',
  '\\',
  '&lt;',
  '&#60;',
  '&',
  '\n',
  '\r\n',
  '\u2028',
  '\u0000',
  '\u001b[31m',
  '\u202e',
  '\u200b',
  '\ud800',
  '\udfff',
  '😀',
  '中文',
  '<%= it.constructor %>',
  '<% globalThis.pwned = true %>',
  '${process.exit(1)}',
  '{{ .InvolvedObject.Name }}',
  '"',
  "'",
  '</script>',
  'word',
  ' ',
);
const hostileText = fc.string({ unit: piece, maxLength: 40 });
const longText = fc.tuple(hostileText, fc.nat({ max: 6000 })).map(([text, n]) => text + 'x'.repeat(n) + text);

const hostileEvent: fc.Arbitrary<NormalizedEvent> = fc
  .record({
    reason: hostileText,
    message: fc.oneof(hostileText, longText),
    kind: hostileText,
    namespace: hostileText,
    name: hostileText,
    component: hostileText,
    host: hostileText,
    cluster: hostileText,
    team: hostileText,
    owners: hostileText,
    type: fc.oneof(fc.constantFrom('Warning', 'Normal'), hostileText),
  })
  .map((f) =>
    normalizeEvent(
      anEnvelope({ ...f, labels: { team: f.team }, annotations: { 'kube-wecom/owners': f.owners } }),
    ),
  );

function contentOf(message: RenderedMessage): string {
  const inner = (message.body as Record<string, { content?: unknown }>)[message.msgtype];
  assert.equal(typeof inner?.content, 'string', `no content in ${JSON.stringify(message.body)}`);
  return inner!.content as string;
}

/** What every message must be, whatever the template: a WeCom body that survives JSON and fits its limit. */
function assertWellFormed(message: RenderedMessage): void {
  const body = message.body as Record<string, unknown>;
  assert.deepEqual(JSON.parse(JSON.stringify(body)), body, 'the body survives a JSON round trip');
  assert.equal(body.msgtype, message.msgtype);
  assert.deepEqual(Object.keys(body).sort(), ['msgtype', message.msgtype].sort());
  const content = contentOf(message);
  assert.ok((content as unknown as { isWellFormed(): boolean }).isWellFormed(), 'no lone surrogate');
  const limit = Math.min(
    LIMITS[message.msgtype as keyof typeof LIMITS],
    BUNDLE.receivers[message.receiver]!.maxBytes ?? Infinity,
  );
  assert.ok(utf8Bytes(content) <= limit, `${message.receiver}: ${utf8Bytes(content)} > ${limit} bytes`);
  assert.ok(!content.includes('<@'), `${message.receiver}: a mention in ${JSON.stringify(content)}`);
  // `text` shows brackets literally; only the markdown dialects make links of them.
  if (message.msgtype !== 'text') assert.doesNotMatch(content, /\[[^\]]*\]\([^)]*\)/, 'a link');
  // eslint-disable-next-line no-control-regex -- the point is that none is left
  assert.doesNotMatch(content, /[\u0000-\u0008\u000B-\u001F\u007F\u202A-\u202E\u2066-\u2069\u2028\u2029]/);
  const inner = body[message.msgtype] as Record<string, unknown>;
  assert.equal(inner.mentioned_list, undefined, 'no mention list: the bundle mentions no one');
  assert.equal(inner.mentioned_mobile_list, undefined);
}

/** For the every-field templates, which have no markup of their own: no markup at all may appear. */
function assertNoMarkup(message: RenderedMessage): void {
  if (message.msgtype === 'text') return;
  const content = contentOf(message);
  assert.doesNotMatch(content, /<font|<\/font|\*\*|__|`|~~|\||<|>|\[|\]/, JSON.stringify(content));
  for (const line of content.split('\n')) {
    // Four blanks before text make code; a blank line or a single leading space make nothing.
    assert.doesNotMatch(
      line,
      /^( {4}|\t)\S|^([-+*=#>]|\d+[.)])/,
      `line-start markup: ${JSON.stringify(line)}`,
    );
  }
}

/** For the built-ins: the only markup is the template's own. */
function assertOnlyTemplateMarkup(message: RenderedMessage): void {
  const content = contentOf(message);
  for (const font of content.matchAll(/<\/?font[^>]*>?/g)) {
    assert.match(font[0], /^(<font color="(info|warning|comment)">|<\/font>)$/, JSON.stringify(content));
  }
  if (message.msgtype === 'markdown_v2') {
    const headings = content.split('\n').filter((line) => line.startsWith('#'));
    assert.ok(
      headings.length <= 1 && (headings.length === 0 || content.startsWith('###')),
      'one heading, first',
    );
  }
}

describe('hostile event text against templates', () => {
  it('single events: inert, well-formed and within limits in every template and msgtype (property)', () => {
    fc.assert(
      fc.property(hostileEvent, (event) => {
        for (const receiver of RECEIVERS) {
          for (const message of renderer.renderEvent(receiver, event, NO_MENTIONS)) {
            assertWellFormed(message);
            assert.equal(message.templateError, undefined, `${receiver}: ${message.templateError}`);
            if (receiver.startsWith('fields')) assertNoMarkup(message);
            else assertOnlyTemplateMarkup(message);
          }
        }
      }),
      { numRuns: 300, includeErrorInReport: true },
    );
  });

  it('digests: every part inert, well-formed and within limits (property)', () => {
    fc.assert(
      fc.property(
        fc.array(hostileEvent, { minLength: 2, maxLength: 6 }),
        hostileText,
        (events, groupValue) => {
          for (const receiver of RECEIVERS) {
            for (const message of renderer.renderDigest(
              receiver,
              events,
              { namespace: groupValue },
              NO_MENTIONS,
            )) {
              assertWellFormed(message);
              assert.equal(message.templateError, undefined, `${receiver}: ${message.templateError}`);
              if (receiver.startsWith('fields')) assertNoMarkup(message);
              else assertOnlyTemplateMarkup(message);
            }
          }
        },
      ),
      { numRuns: 100, includeErrorInReport: true },
    );
  });

  it('template syntax in event text renders literally and runs nothing', () => {
    const code =
      '<%= it.constructor.constructor("globalThis.pwned = true")() %> <% globalThis.pwned = true %> ${process.exit(1)} {{ .Name }}';
    const event = normalizeEvent(anEnvelope({ reason: code, message: code, name: code }));
    for (const receiver of RECEIVERS) {
      for (const message of renderer.renderEvent(receiver, event, NO_MENTIONS)) {
        const content = contentOf(message);
        const expected =
          message.msgtype === 'text' ? code.replace(/</g, '＜').replace(/>/g, '＞') : escapeMarkdown(code);
        assert.ok(content.includes(expected), `${receiver}: ${JSON.stringify(content)}`);
      }
    }
    assert.equal((globalThis as { pwned?: boolean }).pwned, undefined);
  });

  it('an @ list built from namespace annotations keeps only WeCom user ids, never @all', () => {
    const event = normalizeEvent(
      anEnvelope({ annotations: { 'kube-wecom/owners': 'wang,<@all>,@all,li si,x>y' } }),
    );
    const mentions: ResolvedMentions = {
      users: ['wang', '<@all>', '@all', 'li si', 'x>y', '@ALL'],
      mobiles: ['<@all>'],
      all: false,
    };
    for (const receiver of RECEIVERS) {
      for (const message of renderer.renderEvent(receiver, event, mentions)) {
        const body = message.body as Record<string, { content: string; mentioned_list?: string[] }>;
        const inner = body[message.msgtype]!;
        // Plain "@all" in content is text; a mention needs `<@…>` or the list.
        assert.doesNotMatch(inner.content, /<@(?!wang>)/, `${receiver}: ${inner.content}`);
        assert.ok(
          (inner.mentioned_list ?? []).every((id) => id === 'wang'),
          JSON.stringify(inner),
        );
      }
    }
  });
});

describe('hostile event text against the markdown escaper', () => {
  it('a removed control character inside a list number leaves no list marker behind', () => {
    for (const text of ['1\u0000.', 'x\n1\u0000\u00002) item', 'x\n\u00001\u0007. item']) {
      const escaped = escapeMarkdown(text);
      for (const line of escaped.split('\n'))
        assert.doesNotMatch(line, /^\s*\d+[.)]/, JSON.stringify(escaped));
    }
  });
});
