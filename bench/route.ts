import { decodeEnvelope, normalizeEvent } from '../contracts/index.ts';
import { compileRules } from '../functions/rules/index.ts';
import { validateBundle } from '../functions/bundle/index.ts';
import { generateBundle, generateCorpus } from './corpus.ts';
import { medianMs } from './measure.ts';
import type { BenchResult } from './measure.ts';

/** Routing throughput: 10,000 corpus events through a 50-route bundle, against the JSON.parse floor. */
export async function benchRoute(opts: { quick: boolean }): Promise<BenchResult[]> {
  const size = 10_000;
  const bodies = generateCorpus(size).map((envelope) => JSON.stringify(envelope));
  const events = bodies.map((body) => normalizeEvent(decodeEnvelope(body)));
  const validated = validateBundle(generateBundle(50));
  if (!validated.bundle) throw new Error(`bench bundle is invalid: ${JSON.stringify(validated.problems)}`);
  const engine = compileRules(validated.bundle);
  const now = Date.parse('2026-11-27T10:00:00Z');
  const runs = opts.quick ? 3 : 15;

  let sink = 0;
  const floor = medianMs(() => {
    for (const body of bodies) sink += (JSON.parse(body) as { v: number }).v;
  }, runs);
  const route = medianMs(() => {
    for (const event of events) sink += engine.evaluate(event, now).deliveries.length;
  }, runs);
  if (sink < 0) console.log(sink);
  return [
    {
      case: 'parse floor: JSON.parse of 10,000 SQS bodies',
      value: Math.round(size / (floor / 1000)),
      unit: 'bodies/s',
    },
    {
      case: 'route: 10,000 events through a 50-route bundle',
      value: Math.round(size / (route / 1000)),
      unit: 'events/s',
      target: '≥ 300000, ≤ 1.0× floor',
      floor,
      ratio: route / floor,
    },
  ];
}
