import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertAccounted, runScenario, traffic } from './scenario.ts';

describe('fault: the function', () => {
  it('redelivers the whole batch when the function crashes mid-batch; only what went out before the crash repeats', async () => {
    const crashes = 4;
    const result = await runScenario({
      name: `function crashes mid-batch (${crashes}×, after 1 delivery)`,
      fault: async (p) => {
        p.crash = { afterDeliveries: 1, times: crashes };
        await traffic(p, 3000);
        assert.equal(p.crashes, crashes, 'the crashes fired');
        p.crash = undefined;
        return Date.now();
      },
    });
    // Each crash loses the batch's response, so SQS redelivers all of it: the messages sent before the crash (one
    // digest, at most a batch of 10 events) go out again. At-least-once, bounded by batch size × crashes.
    assertAccounted(result, 10 * crashes);
  });
});
