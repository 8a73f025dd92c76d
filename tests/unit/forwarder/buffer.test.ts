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
    const buffer = new EventBuffer({ maxEvents: 3, maxBytes: 1000 });
    const pushed = (i: Outbound) => buffer.push(i).map((e) => e.body);
    assert.deepEqual(pushed(item('n1', false)), []);
    buffer.push(item('w1', true));
    buffer.push(item('n2', false));
    assert.deepEqual(pushed(item('w2', true)), ['n1']);
    assert.deepEqual(pushed(item('w3', true)), ['n2']);
    assert.deepEqual(pushed(item('n3', false)), ['n3']);
    assert.deepEqual(pushed(item('w4', true)), ['w1']);
    assert.deepEqual(
      buffer.take(0, 10, 1000).map((i) => i.body),
      ['w2', 'w3', 'w4'],
    );
  });

  it('takes batches in arrival order within the entry and byte limits', () => {
    const buffer = new EventBuffer({ maxEvents: 100, maxBytes: 100_000 });
    for (let i = 0; i < 12; i++) buffer.push(item(`e${i}`, i % 3 === 0, 100));
    assert.deepEqual(
      buffer.take(0, 10, 350).map((i) => i.body),
      ['e0', 'e1', 'e2'],
    );
    assert.equal(buffer.take(0, 10, 10_000).length, 9);
  });

  it('holds a failed item back until its retry time', () => {
    const buffer = new EventBuffer({ maxEvents: 10, maxBytes: 1000 });
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

  it('bounds the bytes it holds too: large events make room by evicting old Normal ones, Warnings last', () => {
    const buffer = new EventBuffer({ maxEvents: 100, maxBytes: 1000 });
    const pushed = (i: Outbound) => buffer.push(i).map((e) => e.body);
    assert.deepEqual(pushed(item('n1', false, 300)), []);
    assert.deepEqual(pushed(item('w1', true, 300)), []);
    assert.deepEqual(pushed(item('n2', false, 300)), []);
    assert.equal(buffer.bytes, 900);
    assert.deepEqual(pushed(item('w2', true, 500)), ['n1', 'n2'], 'two Normal events make room for one');
    assert.deepEqual(pushed(item('n3', false, 300)), ['n3'], 'a Normal never displaces a Warning');
    assert.deepEqual(pushed(item('w3', true, 600)), ['w1', 'w2'], 'then the oldest Warnings go');
    assert.equal(buffer.bytes, 600);
    assert.deepEqual(
      buffer.take(0, 10, 10_000).map((i) => i.body),
      ['w3'],
    );
    assert.equal(buffer.bytes, 0);
  });

  it('counts retried items back in, and evicts beyond the bounds', () => {
    const buffer = new EventBuffer({ maxEvents: 100, maxBytes: 1000 });
    buffer.push(item('n1', false, 400));
    buffer.push(item('n2', false, 400));
    const inFlight = buffer.take(0, 1, 10_000);
    buffer.push(item('n3', false, 400));
    assert.equal(buffer.bytes, 800);
    assert.deepEqual(
      buffer.requeue(inFlight).map((i) => i.body),
      ['n2'],
    );
    assert.equal(buffer.bytes, 800);
    assert.equal(buffer.size, 2);
  });
});
