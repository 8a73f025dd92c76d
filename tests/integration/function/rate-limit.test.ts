import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BundleInput } from '../../../functions/bundle/index.ts';
import { waitFor } from '../../helpers/wait-for.ts';
import { createManualClock } from '../../../emulators/wecom/index.ts';
import type { ManualClock } from '../../../emulators/wecom/index.ts';
import { anEnvelope } from '../../helpers/builders.ts';
import { account, startRig, total } from './rig.ts';
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
  });
}

describe('rate limits (errcode 45009)', () => {
  it('waits out the robot’s block within the invocation and loses nothing', async () => {
    const clock = createManualClock();
    rig = await startRateLimitedRig(clock);
    await useBudgetElsewhere(rig, 15);
    const offered = offer(10);

    await rig.send(offered.map((event) => event.body));
    // A long function timeout, so the 61 s wait fits before the deadline.
    await rig.start({ functionTimeoutSeconds: 120 });
    await rig.drain();

    const answers = rig.wecom.requests(ROBOTS.WECOM_PAY).map((request) => request.answer);
    assert.ok(answers.includes(45009), `the robot pushed back: ${answers.join(',')}`);
    assert.ok(clock.sleeps.includes(61_000), 'the client waited for the block to end');
    // The deployed handler's WeCom client writes to the handler's log, so the retry reaches CloudWatch.
    const retried = rig.logs.find((line) => line.level === 'warn' && line.fields.errcode === 45009);
    assert.equal(retried?.message, 'WeCom send attempt failed (robot blocked, waiting)');
    assert.equal(rig.invocations.length, 1);
    assert.deepEqual(rig.invocations[0]!.outcome.failed, []);
    const ours = rig
      .delivered('WECOM_PAY')
      .filter((m) => !String(m.payload.content).startsWith('other sender'));
    assert.equal(ours.length, 10);
    const deadLetters = await rig.deadLetters();
    assert.deepEqual(
      account(offered, ours, deadLetters).delivered,
      offered.map((event) => event.name),
    );
    assert.deepEqual(deadLetters, []);
    assert.ok(total(rig.stats, (s) => s.retries) >= 1);
  });

  it('reports messages for redelivery when the block outlasts the invocation, and delivers them next time', async () => {
    const clock = createManualClock();
    rig = await startRateLimitedRig(clock, 3);
    await useBudgetElsewhere(rig, 18);
    const offered = offer(6);

    const ids = await rig.send(offered.map((event) => event.body));
    await rig.start({ functionTimeoutSeconds: 30 });
    await waitFor('the first invocation', () => rig!.invocations.length >= 1);
    // The redelivery comes after the visibility timeout; by then the robot's minute is over.
    clock.advance(61_000);
    await rig.drain();

    const [first, second, ...more] = rig.invocations;
    assert.deepEqual(more, []);
    const failed = new Set(first!.outcome.failed);
    assert.equal(failed.size, 4, 'two went out, four could not before the deadline');
    assert.deepEqual(
      second!.records.map((r) => r.messageId).sort(),
      ids.filter((id) => failed.has(id)).sort(),
    );
    assert.deepEqual(second!.outcome.failed, []);
    const ours = rig
      .delivered('WECOM_PAY')
      .filter((m) => !String(m.payload.content).startsWith('other sender'));
    const deadLetters = await rig.deadLetters();
    assert.deepEqual(deadLetters, []);
    const where = account(offered, ours, deadLetters);
    assert.deepEqual(
      where.delivered,
      offered.map((event) => event.name),
    );
    assert.equal(ours.length, 6, 'nothing was sent twice');
    // Only the first was refused; the other three never got a slot before the deadline, so no errcode.
    assert.deepEqual(rig.stats[0]!.failuresByErrcode, { '45009': 1, none: 3 });
  });
});
