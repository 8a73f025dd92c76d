import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeEvent } from '../../../contracts/index.ts';
import { compileRenderer } from '../../../functions/render/index.ts';
import { compileRules } from '../../../functions/rules/index.ts';
import { validateBundle } from '../../../functions/bundle/index.ts';
import { corpus, importFixtures, sinkFixtures } from './helpers.ts';

const NOW = Date.parse('2026-11-27T10:01:00Z');

/**
 * What kube-eventer's Go template produced for corpus events, written by hand from text/template's rules
 * (metav1.Time prints as `2006-01-02 15:04:05 -0700 MST`; a zero time as year 1).
 */
const GO_OUTPUT: Array<{
  sink: string;
  event: number;
  content: string;
  mentioned?: string[];
  body?: object;
}> = [
  {
    sink: 'docs-wechat-typical',
    event: 0,
    content:
      'EventType:Warning\nEventKind:Pod\nEventReason:BackOff\nEventTime:2026-11-27 10:00:00 +0000 UTC\nEventMessage:Back-off restarting failed container',
  },
  {
    sink: 'issue-9-example',
    event: 2,
    content: 'EventKind:Pod\nEventReason:FailedScheduling',
    mentioned: ['wangqing', '@all'],
  },
  {
    sink: 'failed-star-class-wecom',
    event: 1,
    content: 'EventMessage: Readiness probe failed: HTTP probe failed with statuscode: 503',
  },
  {
    sink: 'issue-119-body',
    event: 7,
    content:
      'EventType:Warning\nEventKind:Node\nEventReason:NodeNotReady\nEventTime:0001-01-01 00:00:00 +0000 UTC\nEventMessage:Node node-2 status is now: NodeNotReady',
  },
  {
    sink: 'unknown-level',
    event: 7,
    content: '',
    body: {
      msgtype: 'news',
      news: {
        articles: [
          {
            title: 'NodeNotReady on Node/node-2',
            description: 'Node node-2 status is now: NodeNotReady',
            url: 'https://console.example.com/events/',
          },
        ],
      },
    },
  },
];

/** The documented presentation differences: times without the zone suffix, an unset time as "-". */
function asKubeWecomPrints(goText: string): string {
  return goText
    .replace(/0001-01-01 00:00:00 \+0000 UTC/g, '-')
    .replace(/(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) [+-]\d{4} [A-Z]+/g, '$1');
}

describe('import-kube-eventer: translated templates say what kube-eventer said', () => {
  const wecomSinks = sinkFixtures.filter((sink) => sink.value.includes('qyapi.weixin.qq.com'));
  const { bundle, report } = importFixtures(wecomSinks);
  const valid = validateBundle(bundle).bundle!;
  const engine = compileRules(valid);
  const renderer = compileRenderer(valid, { now: () => NOW });
  const events = corpus();

  function render(sinkId: string, index: number) {
    const receiver = report.sinks[wecomSinks.findIndex((sink) => sink.id === sinkId)]!.receiver!;
    const event = normalizeEvent(events[index]!.envelope);
    const delivery = engine.evaluate(event, NOW).deliveries.find((d) => d.receiver === receiver);
    assert.ok(delivery, `${sinkId} is not notified of event ${index}`);
    return renderer.renderEvent(receiver, event, delivery.mentions)[0]!;
  }

  for (const expected of GO_OUTPUT) {
    it(`renders ${expected.sink} for event ${expected.event} as kube-eventer did`, () => {
      const message = render(expected.sink, expected.event);
      assert.equal(message.templateError, undefined);
      if (expected.body) {
        assert.deepEqual(message.body, expected.body);
        return;
      }
      const text = message.body.text as { content: string; mentioned_list?: string[] };
      assert.equal(text.content, asKubeWecomPrints(expected.content));
      assert.deepEqual(new Set(text.mentioned_list ?? []), new Set(expected.mentioned ?? []));
    });
  }

  it('keeps quotes, newlines and backslashes that made kube-eventer’s JSON invalid', () => {
    const goBody = (message: string) =>
      `{"msgtype": "text", "text": {"content": "EventMessage: ${message.replace(/"/g, '')}"}}`;
    const raw = events[17]!.envelope.event as { message: string };
    assert.throws(() => JSON.parse(goBody(raw.message)), SyntaxError);
    const message = render('failed-star-class-wecom', 17);
    assert.equal((message.body.text as { content: string }).content, `EventMessage: ${raw.message}`);
  });

  it('renders the team markdown body, flagging the parts a person must finish with their position', () => {
    const message = render('repeated-reason', 0);
    assert.equal(
      (message.body.markdown as { content: string }).content.split('\n<@')[0],
      '<font color="warning">BackOff</font> pay/web-1\nhost: node-1\ncount: 1, event: web-1.6553f100\n\nat 2026-11-27 10:00:00\n> Back-off restarting failed container',
    );
    const findings = report.sinks
      .find((sink) => sink.source === 'repeated-reason')!
      .templateFindings.filter((f) => f.severity === 'human');
    assert.deepEqual(
      findings.map((f) => [f.line, f.column, f.action]),
      [
        [1, 312, '{{ range $k, $v := .ObjectMeta.Labels }}'],
        [1, 384, '{{ .LastTimestamp.Format "15:04" }}'],
      ],
    );
  });
});
