import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RobotRateLimiter } from '../../../functions/channels/wecom/index.ts';

const WINDOW = 60_000;

describe('RobotRateLimiter', () => {
  it('grants `limit` slots at once, then the next one a window after the first', () => {
    const limiter = new RobotRateLimiter(WINDOW);
    const slots = Array.from({ length: 21 }, (_, i) => limiter.reserve('robot', 1000 + i, 20, Infinity));
    assert.deepEqual(
      slots.slice(0, 20),
      Array.from({ length: 20 }, (_, i) => 1000 + i),
    );
    assert.equal(slots[20], 1000 + WINDOW);
  });

  it('never puts more than `limit` slots in any window, even for concurrent reservations', () => {
    const limiter = new RobotRateLimiter(WINDOW);
    const slots: number[] = [];
    for (let now = 0; now < 5 * WINDOW; now += 1700) {
      for (let burst = 0; burst < 3; burst++) slots.push(limiter.reserve('robot', now, 20, Infinity)!);
    }
    for (let i = 20; i < slots.length; i++) assert.ok(slots[i]! - slots[i - 20]! >= WINDOW, `slot ${i}`);
    assert.deepEqual(
      slots,
      [...slots].sort((a, b) => a - b),
    );
  });

  it('reserves nothing when the slot lies beyond the latest acceptable time', () => {
    const limiter = new RobotRateLimiter(WINDOW);
    for (let i = 0; i < 2; i++) limiter.reserve('robot', 0, 2, Infinity);
    assert.equal(limiter.reserve('robot', 0, 2, WINDOW - 1), null);
    assert.equal(limiter.reserve('robot', 0, 2, WINDOW), WINDOW);
  });

  it('holds every slot of a blocked robot until the block ends, and only that robot', () => {
    const limiter = new RobotRateLimiter(WINDOW);
    limiter.block('robot', 61_000);
    assert.equal(limiter.reserve('robot', 0, 20, Infinity), 61_000);
    assert.equal(limiter.reserve('other', 0, 20, Infinity), 0);
  });
});
