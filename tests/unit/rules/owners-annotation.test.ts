import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadBundle } from '../../../functions/bundle/index.ts';
import { planBatch } from '../../../functions/pipeline/index.ts';
import { compileRenderer } from '../../../functions/render/index.ts';
import { compileRules } from '../../../functions/rules/index.ts';
import { anEngine, anEnvelope, anEvent, NOW } from '../../helpers/builders.ts';

const OWNERS = 'kube-wecom/owners';

/** An engine whose one receiver takes its owners from the annotation, with `extra` mention settings. */
function ownersEngine(extra: Record<string, unknown> = {}) {
  return anEngine({
    receivers: { team: { webhook: 'env:T', mentions: { fromNamespaceAnnotation: OWNERS, ...extra } } },
    routes: [{ name: 'all', receivers: ['team'] }],
  });
}

function deliveryFor(owners: string, extra: Record<string, unknown> = {}) {
  const event = anEvent({ type: 'Warning', annotations: { [OWNERS]: owners } });
  return ownersEngine(extra).evaluate(event, NOW).deliveries[0]!;
}

describe('owners from a namespace annotation', () => {
  it('cannot page everyone with the shipped prod bundle: "all", "@all" and "<@all>" are dropped', async () => {
    const { bundle } = await loadBundle('config/prod.json');
    const engine = compileRules(bundle);
    const renderer = compileRenderer(bundle, { now: () => NOW });
    const event = anEvent({
      type: 'Warning',
      namespace: 'payments',
      annotations: { [OWNERS]: 'all, @all,<@all>,ALL,wangqing' },
    });
    const decision = engine.evaluate(event, NOW);
    assert.ok(decision.deliveries.length > 0, 'prod routes this Warning');
    const owned = decision.deliveries.filter((delivery) => delivery.mentions.users.includes('wangqing'));
    assert.ok(owned.length > 0, 'the owner from the annotation is mentioned');
    for (const delivery of owned) assert.equal(delivery.droppedOwners, 4);
    for (const delivery of decision.deliveries) {
      assert.equal(delivery.mentions.all, false);
      assert.ok(
        !delivery.mentions.users.some((user) => /^(?:@?all|<@all>)$/i.test(user)),
        delivery.mentions.users.join(),
      );
      for (const message of renderer.renderEvent(delivery.receiver, event, delivery.mentions)) {
        const body = JSON.stringify(message.body);
        assert.doesNotMatch(body, /<@all>|"@all"/i, body);
      }
    }
  });

  it('pages everyone from the annotation only when the receiver opts in with allowAllFromAnnotation', () => {
    assert.equal(deliveryFor('all').mentions.all, false);
    assert.equal(deliveryFor('@all', { allowAllFromAnnotation: true }).mentions.all, true);
  });

  it('takes at most maxFromAnnotation owners (default 50) and counts the rest', () => {
    const ids = Array.from({ length: 30_000 }, (_, i) => `user${i}`);
    const capped = deliveryFor(ids.join(','));
    assert.deepEqual(capped.mentions.users, ids.slice(0, 50));
    assert.equal(capped.droppedOwners, 29_950);
    const three = deliveryFor(ids.slice(0, 10).join(','), { maxFromAnnotation: 3 });
    assert.deepEqual(three.mentions.users, ['user0', 'user1', 'user2']);
    assert.equal(three.droppedOwners, 7);
  });

  it('drops entries that are not WeCom user ids, counting them, and merges duplicates once', () => {
    const delivery = deliveryFor('wangqing,a b,<b>x</b>,wangqing, lisi ,');
    assert.deepEqual(delivery.mentions.users, ['wangqing', 'lisi']);
    assert.equal(delivery.droppedOwners, 2);
  });

  it('the batch stats count the owners left out', async () => {
    const engine = ownersEngine({ maxFromAnnotation: 1 });
    const rules = engine.bundle;
    const body = JSON.stringify(anEnvelope({ type: 'Warning', annotations: { [OWNERS]: 'a1,a2,a3' } }));
    const { stats } = await planBatch(
      [{ messageId: 'm', body }],
      { engine, renderer: compileRenderer(rules, { now: () => NOW }) },
      NOW,
    );
    assert.equal(stats.ownersDropped, 2);
  });
});
