import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Watermark } from '../../../forwarder/checkpoint/index.ts';

describe('Watermark', () => {
  it('does not advance past an unacknowledged position, even when later ones settle first', () => {
    const w = new Watermark({ resourceVersion: '10', observedAt: 1 });
    const a = w.open('11', 2);
    const b = w.open('12', 3);
    w.pass('13', 4);
    b.settle();
    assert.equal(w.position?.resourceVersion, '10');
    a.settle();
    assert.deepEqual(w.position, { resourceVersion: '13', observedAt: 4 });
  });

  it('collapses consecutive skipped positions so a stream of skips costs no memory', () => {
    const w = new Watermark();
    const a = w.open('1', 1);
    for (let i = 2; i < 1000; i++) w.pass(String(i), i);
    assert.equal(w.pending, 1);
    a.settle();
    assert.equal(w.position?.resourceVersion, '999');
  });
});
