import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventBuffer } from '../../../forwarder/queue/index.ts';
import type { Outbound } from '../../../forwarder/queue/index.ts';

let seq = 0;
function item(name: string, warning: boolean, bytes = 10): Outbound {
  return {
    seq: seq++,
    body: name,
    bytes,
    warning,
    attempts: 0,
    notBefore: 0,
    enqueuedAt: 0,
    settle: () => {},
  };
}

describe('EventBuffer', () => {
  it('evicts the oldest Normal event first, then drops a new Normal rather than a buffered Warning', () => {
    const buffer = new EventBuffer(3);
    assert.equal(buffer.push(item('n1', false)), undefined);
    buffer.push(item('w1', true));
    buffer.push(item('n2', false));
    assert.equal(buffer.push(item('w2', true))?.body, 'n1');
    assert.equal(buffer.push(item('w3', true))?.body, 'n2');
    assert.equal(buffer.push(item('n3', false))?.body, 'n3');
    assert.equal(buffer.push(item('w4', true))?.body, 'w1');
    assert.deepEqual(
      buffer.take(0, 10, 1000).map((i) => i.body),
      ['w2', 'w3', 'w4'],
    );
  });

  it('takes batches in arrival order within the entry and byte limits', () => {
    const buffer = new EventBuffer(100);
    for (let i = 0; i < 12; i++) buffer.push(item(`e${i}`, i % 3 === 0, 100));
    assert.deepEqual(
      buffer.take(0, 10, 350).map((i) => i.body),
      ['e0', 'e1', 'e2'],
    );
    assert.equal(buffer.take(0, 10, 10_000).length, 9);
  });

  it('holds a failed item back until its retry time', () => {
    const buffer = new EventBuffer(10);
    const failed = item('retry', false);
    failed.notBefore = 500;
    buffer.requeue([failed]);
    buffer.push(item('fresh', false));
    assert.deepEqual(
      buffer.take(100, 10, 1000).map((i) => i.body),
      ['fresh'],
    );
    assert.equal(buffer.nextRetryAt(), 500);
    assert.deepEqual(
      buffer.take(600, 10, 1000).map((i) => i.body),
      ['retry'],
    );
  });
});
