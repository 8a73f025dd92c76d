import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../helpers/wait-for.ts';
import { ROBOTS } from '../harness/pipeline-rig/index.ts';
import { assertAccounted, runScenario, scaled, traffic } from './scenario.ts';

// The handler, its WeCom client and the emulator share the rig's warp clock: a robot's 61 s block passes as soon
// as the client waits for it, so minutes of WeCom trouble run in seconds of real time.

describe('fault: WeCom', () => {
  it('waits out errcode 45009 for 3 minutes (scaled, warp clock) and delivers everything afterwards', async () => {
    const blocked = scaled(180_000);
    const result = await runScenario({
      name: `WeCom 45009 for ${blocked / 1000} s`,
      fault: async (p) => {
        const end = p.clock.now() + blocked;
        const remove = p.wecom.inject({ kind: 'errcode', errcode: 45009 });
        await traffic(p, 1000);
        while (p.clock.now() < end) await traffic(p, 250);
        remove();
        assert.ok(p.wecom.requests().some((r) => r.answer === 45009));
        return Date.now();
      },
    });
    assertAccounted(result);
  });

  it('retries HTTP 5xx and connection resets at 20 %; redelivery may repeat a batch’s other messages', async () => {
    const result = await runScenario({
      name: 'WeCom 5xx and resets at 20 %',
      fault: async (p) => {
        const removers = [
          p.wecom.inject({ kind: 'http-status', status: 502, probability: 0.1 }),
          p.wecom.inject({ kind: 'reset', probability: 0.1 }),
        ];
        await traffic(p, 5000);
        for (const remove of removers) remove();
        return Date.now();
      },
    });
    // Only a message that exhausts its 5 attempts (0.2^5 per message) sends its batch back; the rest are retried
    // within the invocation. A redelivered batch can repeat what already reached other robots: one batch's worth.
    assertAccounted(result, 10);
  });

  it('gives up on a hanging WeCom before the function timeout and dead-letters those messages with the reason', async () => {
    const result = await runScenario({
      name: 'WeCom hangs past the function timeout',
      // The client would wait 60 s for an answer, far past the 8 s function timeout: only capping each request at
      // the invocation's deadline keeps Lambda from killing the batch. A short timeout leaves no room to wait for a
      // robot's per-minute budget either (the warp clock only skips waits that fit), so the traffic is light
      // enough to stay within it: 20 messages a minute per robot.
      options: { functionTimeoutSeconds: 8, wecomRequestTimeoutMs: 60_000 },
      before: 20,
      after: 20,
      fault: async (p) => {
        const remove = p.wecom.inject({ kind: 'hang', times: 3 });
        await traffic(p, 1500);
        const hangs = () => p.wecom.requests().filter((r) => r.answer === 'hang').length;
        await waitFor('three requests to hang', () => hangs() === 3, 30_000);
        remove();
        return Date.now();
      },
    });
    assertAccounted(result);
    assert.ok(result.tally.deadLettered > 0, 'hung messages may have been delivered, so they are not resent');
    assert.ok(Object.keys(result.tally.reasons).some((r) => /no answer within/.test(r)));
    assert.ok(
      result.pipeline.batches.length > 0 && result.pipeline.logs.every((l) => !/Task timed out/.test(l)),
      'no invocation ran into the function timeout',
    );
  });

  it('dead-letters every event for a robot whose key is revoked mid-run (93000), with the reason', async () => {
    const result = await runScenario({
      name: 'robot key revoked mid-run (93000)',
      fault: async (p) => {
        p.wecom.inject({ kind: 'revoke', key: ROBOTS.WECOM_PAY! });
        const revokedAt = Date.now();
        await traffic(p, 2000);
        return revokedAt;
      },
    });
    assertAccounted(result);
    assert.ok(result.tally.deadLettered > 0);
    assert.ok(Object.keys(result.tally.reasons).some((r) => /93000/.test(r)));
  });
});
