import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { anEngine, anEvent, NOW } from '../../helpers/builders.ts';

describe('routing', () => {
  it('applies every matching route in order', () => {
    const engine = anEngine({
      routes: [
        { name: 'warnings', match: { types: ['Warning'] }, receivers: ['ops'] },
        { name: 'payments', match: { namespaces: ['payments'] }, receivers: ['pay'] },
        { name: 'normal', match: { types: ['Normal'] }, receivers: ['audit'] },
      ],
    });
    const decision = engine.evaluate(anEvent(), NOW);
    assert.deepEqual(decision.routes, ['warnings', 'payments']);
    assert.deepEqual(
      decision.deliveries.map((d) => d.receiver),
      ['ops', 'pay'],
    );
    assert.equal(decision.notify, true);
    assert.equal(decision.suppressedBy, null);
  });

  it('stops evaluating after a matching route with stop: true', () => {
    const engine = anEngine({
      routes: [
        { name: 'skip', match: { reasons: ['Pulling'] }, receivers: ['audit'], stop: true },
        { name: 'first', match: { types: ['Warning'] }, receivers: ['ops'], stop: true },
        { name: 'never', receivers: ['pay'] },
      ],
    });
    assert.deepEqual(engine.evaluate(anEvent(), NOW).routes, ['first']);
  });

  it('a non-matching stop route does not stop evaluation', () => {
    const engine = anEngine({
      routes: [
        { name: 'stopper', match: { reasons: ['Pulling'] }, receivers: ['audit'], stop: true },
        { name: 'next', receivers: ['ops'] },
      ],
    });
    assert.deepEqual(engine.evaluate(anEvent(), NOW).routes, ['next']);
  });

  it('exclude as one matcher removes the route', () => {
    const engine = anEngine({
      routes: [
        { name: 'r', match: { types: ['Warning'] }, exclude: { reasons: ['BackOff'] }, receivers: ['ops'] },
      ],
    });
    const decision = engine.evaluate(anEvent({ reason: 'BackOff' }), NOW);
    assert.deepEqual(decision.suppressedBy, { reason: 'no-route' });
    assert.deepEqual(decision.routes, []);
  });

  it('exclude as a list excludes when any item matches', () => {
    const engine = anEngine({
      routes: [{ name: 'r', exclude: [{ reasons: ['Unhealthy'] }, { kinds: ['Node'] }], receivers: ['ops'] }],
    });
    assert.equal(engine.evaluate(anEvent({ kind: 'Node', namespace: '' }), NOW).notify, false);
    assert.equal(engine.evaluate(anEvent({ reason: 'Unhealthy' }), NOW).notify, false);
    assert.equal(engine.evaluate(anEvent({ reason: 'BackOff' }), NOW).notify, true);
  });

  it('an excluded stop route does not stop evaluation', () => {
    const engine = anEngine({
      routes: [
        { name: 'stopper', exclude: { reasons: ['BackOff'] }, receivers: ['audit'], stop: true },
        { name: 'next', receivers: ['ops'] },
      ],
    });
    assert.deepEqual(engine.evaluate(anEvent({ reason: 'BackOff' }), NOW).routes, ['next']);
  });

  it('delivers once per receiver reached by several routes, mentions merged', () => {
    const engine = anEngine({
      receivers: { ops: { webhook: 'env:OPS', mentions: { users: ['zhangsan'] } } },
      routes: [
        { name: 'a', receivers: ['ops'], mentions: { users: ['lisi', 'zhangsan'] } },
        { name: 'b', receivers: ['pay', 'ops'], mentions: { mobiles: ['13800001111'], all: true } },
      ],
    });
    const decision = engine.evaluate(anEvent(), NOW);
    assert.deepEqual(
      decision.deliveries.map((d) => d.receiver),
      ['ops', 'pay'],
    );
    const ops = decision.deliveries[0]!;
    assert.deepEqual(ops.routes, ['a', 'b']);
    assert.deepEqual(ops.mentions, { users: ['zhangsan', 'lisi'], mobiles: ['13800001111'], all: true });
    assert.deepEqual(decision.deliveries[1]!.mentions, { users: [], mobiles: ['13800001111'], all: true });
  });

  it('adds the namespace owners named by fromNamespaceAnnotation', () => {
    const engine = anEngine({
      receivers: {
        ops: {
          webhook: 'env:OPS',
          mentions: { users: ['sre'], fromNamespaceAnnotation: 'kube-wecom/owners' },
        },
      },
      routes: [{ name: 'a', receivers: ['ops'] }],
    });
    const event = anEvent({ annotations: { 'kube-wecom/owners': ' wangqing, lihua ,,sre' } });
    assert.deepEqual(engine.evaluate(event, NOW).deliveries[0]!.mentions.users, ['sre', 'wangqing', 'lihua']);
    assert.deepEqual(engine.evaluate(anEvent(), NOW).deliveries[0]!.mentions.users, ['sre']);
  });

  it('takes group.by from the first route that reaches a receiver', () => {
    const engine = anEngine({
      routes: [
        { name: 'a', receivers: ['ops'], group: { by: ['namespace'] } },
        { name: 'b', receivers: ['ops'], group: { by: ['reason'] } },
      ],
    });
    assert.deepEqual(engine.evaluate(anEvent(), NOW).deliveries[0]!.groupBy, ['namespace']);
  });

  it('reports no-route when nothing matches', () => {
    const engine = anEngine({ routes: [{ name: 'a', match: { types: ['Normal'] }, receivers: ['ops'] }] });
    const decision = engine.evaluate(anEvent({ type: 'Warning' }), NOW);
    assert.deepEqual(decision, {
      notify: false,
      routes: [],
      deliveries: [],
      suppressedBy: { reason: 'no-route' },
    });
  });

  it('routes cluster-scoped events by namespace ""', () => {
    const engine = anEngine({
      routes: [
        { name: 'ns', match: { namespaces: ['.+'] }, receivers: ['teams'] },
        { name: 'cluster', match: { namespaces: [''] }, receivers: ['ops'] },
      ],
    });
    assert.deepEqual(engine.evaluate(anEvent({ kind: 'Node', namespace: '', name: 'node-1' }), NOW).routes, [
      'cluster',
    ]);
  });
});
