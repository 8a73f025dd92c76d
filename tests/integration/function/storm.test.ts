import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BundleInput } from '../../../functions/bundle/index.ts';
import { anEnvelope } from '../../helpers/builders.ts';
import { contentOf, startRig, total } from './rig.ts';
import type { FunctionRig } from './rig.ts';

const STORM = 10_000;
const BUDGET = 20;
const ROBOTS = { WECOM_PAY: 'key-pay-5707-storm-0001' };
const NAMESPACES = ['payments', 'payments-canary', 'orders'];
const REASONS = ['BackOff', 'Unhealthy'];

const bundle: BundleInput = {
  version: 1,
  receivers: { pay: { webhook: 'env:WECOM_PAY', maxMessagesPerMinute: BUDGET } },
  routes: [{ name: 'all', receivers: ['pay'], group: { by: ['namespace', 'reason'] } }],
};

let rig: FunctionRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

describe('an event storm to one robot', () => {
  it('stays within the robot’s budget and counts every event in one of the messages', async () => {
    rig = await startRig({ bundle, robots: ROBOTS, directDlq: true, visibilityTimeoutSeconds: 120 });
    const offered = Array.from({ length: STORM }, (_, i) => {
      const name = `storm-${String(i).padStart(5, '0')}`;
      const spec = { name, namespace: NAMESPACES[i % 3]!, reason: REASONS[i % 2]! };
      return { ...spec, body: JSON.stringify(anEnvelope(spec)) };
    });

    await rig.send(offered.map((event) => event.body));
    await rig.start({ batchSize: STORM, windowSeconds: 30, functionTimeoutSeconds: 60 });
    await rig.drain(60_000);

    assert.equal(rig.invocations.length, 1, 'one batch of 10,000');
    assert.deepEqual(rig.invocations[0]!.outcome.failed, []);
    const messages = rig.delivered('WECOM_PAY');
    assert.ok(messages.length <= BUDGET, `${messages.length} messages`);
    assert.equal(rig.wecom.requests(ROBOTS.WECOM_PAY).length, messages.length, 'no request was refused');

    // Every event is listed by name in exactly one digest part, or counted in the "+N more" overflow summary.
    const listed = new Map<string, number>();
    const overflow: string[] = [];
    for (const message of messages) {
      const content = contentOf(message);
      const more = /\+(\d+) more events/.exec(content);
      if (more) {
        overflow.push(more[1]!);
        continue;
      }
      for (const [name] of content.matchAll(/storm-\d{5}/g)) listed.set(name, (listed.get(name) ?? 0) + 1);
    }
    assert.equal(overflow.length, 1, 'one overflow summary');
    assert.ok(
      [...listed.values()].every((times) => times === 1),
      'no event listed twice',
    );
    assert.equal(listed.size + Number(overflow[0]), STORM);
    assert.ok(listed.size > 0);

    // The summary's tallies add up to the events it stands for.
    const summary = contentOf(messages.find((m) => /more events/.test(contentOf(m)))!);
    const byReason = /\*\*By reason\*\*: (.*)/.exec(summary)![1]!;
    const tallied = [...byReason.matchAll(/(\w+) (\d+)/g)].reduce((sum, [, , n]) => sum + Number(n), 0);
    assert.equal(tallied, Number(overflow[0]));

    assert.deepEqual(await rig.deadLetters(), []);
    assert.equal(
      total(rig.stats, (s) => s.events),
      STORM,
    );
    assert.equal(
      total(rig.stats, (s) => s.notified),
      STORM,
    );
    assert.equal(
      total(rig.stats, (s) => s.overflowMessages),
      1,
    );
    assert.equal(
      total(rig.stats, (s) => s.sent),
      messages.length,
    );
  });
});
