import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertAccounted, runScenario, traffic } from './scenario.ts';

describe('fault drill baseline', () => {
  it('accounts for every event of the mix with no fault, without duplicates', async () => {
    const result = await runScenario({
      name: 'baseline (no fault)',
      fault: async (p) => {
        await traffic(p, 1000);
        return Date.now();
      },
    });
    assertAccounted(result);
    const { tally } = result;
    assert.ok(tally.delivered > 0 && tally.suppressed['no-route']! > 0 && tally.suppressed.silence! > 0);
    assert.ok(tally.suppressed.repeat! > 0, 'the mix repeats events past the exponential policy');
  });
});
