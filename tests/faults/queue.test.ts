import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertAccounted, runScenario, scaled, traffic } from './scenario.ts';

describe('fault: SQS', () => {
  it('buffers in the forwarder while the queue is unreachable for 60 s (scaled) and loses nothing', async () => {
    const outage = scaled(60_000);
    const result = await runScenario({
      name: `queue unreachable ${outage / 1000} s`,
      fault: async (p) => {
        await p.sqsRelay.down();
        await traffic(p, outage);
        await p.sqsRelay.up();
        return Date.now();
      },
    });
    // Only deletes cut off by the outage bring messages back a second time: at most one batch (10 events).
    assertAccounted(result, 10);
  });

  it('retries the entries SQS throttles in a batch until each is on the queue', async () => {
    const window = scaled(60_000);
    const result = await runScenario({
      name: `queue throttling 30 % of entries for ${window / 1000} s`,
      fault: async (p) => {
        p.throttle.rate = 0.3;
        await traffic(p, window);
        p.throttle.rate = 0;
        assert.ok(p.throttle.refused > 0, 'entries were throttled');
        return Date.now();
      },
    });
    assertAccounted(result);
  });
});
