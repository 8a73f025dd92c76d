import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BundleInput } from '../../../functions/bundle/index.ts';
import { createManualClock } from '../../../emulators/wecom/index.ts';
import type { ManualClock } from '../../../emulators/wecom/index.ts';
import { anEnvelope } from '../../helpers/builders.ts';
import { startRig, total } from './rig.ts';
import type { FunctionRig } from './rig.ts';

// The handler, the WeCom client and the emulator share a manual clock, so a robot's 60 s block passes at once.
const ROBOTS = { WECOM_PAY: 'key-pay-4500-9000-busy' };
const bundle: BundleInput = {
  version: 1,
  receivers: { pay: { webhook: 'env:WECOM_PAY' } },
  routes: [{ name: 'pay', receivers: ['pay'] }],
};

let rig: FunctionRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

function offer(count: number) {
  return Array.from({ length: count }, (_, i) => {
    const name = `pay-api-${String(i).padStart(5, '0')}`;
    return { name, body: JSON.stringify(anEnvelope({ name })) };
  });
}

/** Another sender (a second cluster, a person's script) uses `count` of the robot's per-minute budget. */
async function useBudgetElsewhere(rig: FunctionRig, count: number) {
  for (let i = 0; i < count; i++) {
    const response = await fetch(rig.wecom.webhookUrl(ROBOTS.WECOM_PAY), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ msgtype: 'text', text: { content: `other sender ${i}` } }),
    });
    assert.deepEqual(await response.json(), { errcode: 0, errmsg: 'ok' });
  }
}

async function startRateLimitedRig(clock: ManualClock, maxReceiveCount = 2) {
  return startRig({
    bundle,
    robots: ROBOTS,
    directDlq: true,
    maxReceiveCount,
    clock: clock.now,
    emulator: { clock: clock.now },
    wecom: { sleep: clock.sleep },
    passDelay: clock.advance,
  });
}

describe('rate limits (errcode 45009)', () => {
  it('holds the robot after a 45009, lets the rest wait without burning a receive, and covers them after the block', async () => {
    const clock = createManualClock();
    rig = await startRateLimitedRig(clock);
    await useBudgetElsewhere(rig, 15);
    const offered = offer(10);

    await rig.send(offered.map((event) => event.body));
    await rig.start();
    await rig.drain();

    const answers = rig.wecom.requests(ROBOTS.WECOM_PAY).map((request) => request.answer);
    assert.deepEqual(
      answers.filter((answer) => answer === 45009),
      [45009],
      `one push-back, then the robot is held: ${answers.join(',')}`,
    );
    // The deployed handler's WeCom client writes to the handler's log, so the push-back reaches CloudWatch.
    assert.ok(rig.logs.some((line) => line.level === 'warn' && line.fields.errcode === 45009));
    const ours = rig
      .delivered('WECOM_PAY')
      .filter((m) => !String(m.payload.content).startsWith('other sender'));
    assert.equal(ours.length, 6, 'five one by one, then one summary of the five that waited');
    assert.match(String(ours.at(-1)!.payload.content), /\+5 more events/);
    assert.ok(
      ours.at(-1)!.receivedAt - ours[0]!.receivedAt >= 60_000,
      'the summary went out after the robot’s block',
    );
    for (const invocation of rig.invocations) assert.deepEqual(invocation.outcome.failed, []);
    assert.ok(
      rig.invocations.every((invocation) => invocation.records.every((record) => record.receiveCount === 1)),
      'no record was received twice: the wait is a copy, not a redelivery',
    );
    assert.deepEqual(await rig.deadLetters(), []);
    assert.equal(
      total(rig.stats, (s) => s.parkedSent),
      4,
    );
  });
});
