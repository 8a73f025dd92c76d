import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEnvelope, normalizeEvent } from '../../contracts/index.ts';
import { validateBundle } from '../../functions/bundle/index.ts';
import { compileRules } from '../../functions/rules/index.ts';
import { FAULT_BUNDLE } from '../harness/pipeline-rig/index.ts';
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

  // The mutation the ledger once missed: events the rules would hold back anyway, lost by the forwarder, were
  // counted as suppressed because the ledger asked the rules engine instead of looking at what the function got.
  it('fails when the forwarder silently drops the events the rules would hold back (mutation)', async () => {
    const engine = compileRules(validateBundle(FAULT_BUNDLE).bundle!);
    const heldBack = (body: string) =>
      !engine.evaluate(normalizeEvent(decodeEnvelope(body)), Date.now()).notify;
    const result = await runScenario({
      name: 'mutation: the forwarder drops what the rules hold back',
      options: { forwarderDrops: heldBack },
      fault: async (p) => {
        await traffic(p, 1000);
        return Date.now();
      },
      settleTimeoutMs: 5_000,
    });
    assert.ok(result.tally.missing.length > 0, 'the dropped events are missing, not suppressed');
    assert.throws(() => assertAccounted(result), /every offered event is accounted for/);
  });
});
