import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeEvent } from '../../../contracts/index.ts';
import { compileRules } from '../../../functions/rules/index.ts';
import { validateBundle } from '../../../functions/bundle/index.ts';
import { corpus, importFixtures, sinkFixtures } from './helpers.ts';
import { kubeEventerSends } from './kube-eventer-model.ts';

const NOW = Date.parse('2026-11-27T10:01:00Z');
const WECOM = /^webhook:https?:\/\/qyapi\.weixin\.qq\.com\/cgi-bin\/webhook\/send\?/;

describe('import-kube-eventer: the imported rules notify what kube-eventer notified', () => {
  const wecomSinks = sinkFixtures.filter((sink) => WECOM.test(sink.value));
  const { bundle, report } = importFixtures(wecomSinks);
  const validated = validateBundle(bundle);
  const events = corpus();

  it('builds a bundle that validates without problems or warnings', () => {
    assert.deepEqual(validated.problems, []);
    assert.deepEqual(validated.warnings, []);
  });

  it('has a corpus in which every imported sink sends something, and every filtering sink drops something', () => {
    for (const sink of wecomSinks) {
      const sent = events.filter((event) =>
        kubeEventerSends(sink.value, event.envelope.event as object),
      ).length;
      if (report.sinks.find((s) => s.source === sink.id)?.status === 'skipped') continue;
      assert.ok(sent > 0, `${sink.id}: kube-eventer sends nothing from the corpus`);
      if (/[?&](?:level|namespaces|kinds|reason)=/.test(sink.value))
        assert.ok(sent < events.length, `${sink.id}: nothing dropped`);
    }
  });

  for (const [i, sink] of wecomSinks.entries()) {
    it(`notifies exactly kube-eventer's events for ${sink.id}`, () => {
      const engine = compileRules(validated.bundle!);
      const entry = report.sinks[i]!;
      const expected = events
        .filter((event) => kubeEventerSends(sink.value, event.envelope.event as object))
        .map((event) => event.index);
      const actual = events
        .filter((event) => {
          const decision = engine.evaluate(normalizeEvent(event.envelope), NOW);
          return decision.deliveries.some((delivery) => delivery.receiver === entry.receiver);
        })
        .map((event) => event.index);
      if (entry.status === 'skipped')
        assert.deepEqual(expected, [], `${sink.id} was skipped but kube-eventer sent events`);
      assert.deepEqual(actual, expected);
    });
  }

  it('notifies the same events when routes are limited to a cluster, and nothing from another cluster', () => {
    const scoped = validateBundle(importFixtures(wecomSinks, 'prod').bundle).bundle!;
    const engine = compileRules(scoped);
    const plain = compileRules(validated.bundle!);
    for (const event of corpus('prod')) {
      const count = plain.evaluate(normalizeEvent(event.envelope), NOW).deliveries.length;
      assert.equal(engine.evaluate(normalizeEvent(event.envelope), NOW).deliveries.length, count);
    }
    for (const event of corpus('staging'))
      assert.equal(engine.evaluate(normalizeEvent(event.envelope), NOW).notify, false);
  });
});
