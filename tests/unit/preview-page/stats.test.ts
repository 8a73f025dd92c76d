import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatsBoard } from '../../../local/preview-page/index.ts';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 27, 10, 0, 0);

describe('StatsBoard', () => {
  it('starts at zero with one empty bucket per minute of the window, oldest first', () => {
    const board = new StatsBoard({ clock: () => T0 + 30_000, minutes: 3 });
    assert.deepEqual(board.snapshot(), {
      startedAt: T0 + 30_000,
      updatedAt: T0 + 30_000,
      eventsWatched: 0,
      queued: 0,
      notified: 0,
      messagesSent: 0,
      rateLimited: 0,
      retries: 0,
      dlqDepth: 0,
      slotsGranted: 0,
      deferred: 0,
      parkedSent: 0,
      suppressed: {},
      perMinute: [
        { minute: T0 - 2 * MINUTE, counts: {} },
        { minute: T0 - MINUTE, counts: {} },
        { minute: T0, counts: {} },
      ],
      limitPerMinute: 20,
    });
  });

  it('increments counters, sets gauges and counts suppressions by reason', () => {
    const board = new StatsBoard({ clock: () => T0 });
    board.increment('eventsWatched');
    board.increment('eventsWatched', 4);
    board.set('dlqDepth', 3);
    board.set('dlqDepth', 1);
    board.suppress('repeat');
    board.suppress('repeat', 2);
    board.suppress('silence');
    const stats = board.snapshot();
    assert.equal(stats.eventsWatched, 5);
    assert.equal(stats.dlqDepth, 1);
    assert.deepEqual(stats.suppressed, { repeat: 3, silence: 1 });
  });

  it('counts messages per receiver in their clock minute and forgets minutes that left the window', () => {
    let now = T0;
    const board = new StatsBoard({ clock: () => now, minutes: 2 });
    board.countMessage('pay', T0 + 1_000);
    board.countMessage('pay', T0 + 59_999);
    board.countMessage('sre', T0 + 60_000);
    now = T0 + 60_000;
    assert.deepEqual(board.snapshot().perMinute, [
      { minute: T0, counts: { pay: 2 } },
      { minute: T0 + MINUTE, counts: { sre: 1 } },
    ]);
    now = T0 + 2 * MINUTE;
    assert.deepEqual(board.snapshot().perMinute, [
      { minute: T0 + MINUTE, counts: { sre: 1 } },
      { minute: T0 + 2 * MINUTE, counts: {} },
    ]);
    assert.equal(board.snapshot().messagesSent, 3);
  });

  it('tells listeners about each change, but not about a gauge set to its current value', () => {
    const board = new StatsBoard();
    let calls = 0;
    const stop = board.onChange(() => calls++);
    board.increment('queued');
    board.suppress('no-route');
    board.countMessage('pay');
    board.set('dlqDepth', 0);
    assert.equal(calls, 3);
    stop();
    board.increment('queued');
    assert.equal(calls, 3);
  });

  it('hands out copies that later changes do not alter', () => {
    const board = new StatsBoard({ clock: () => T0 });
    board.suppress('repeat');
    const before = board.snapshot();
    board.suppress('repeat');
    board.countMessage('pay');
    assert.deepEqual(before.suppressed, { repeat: 1 });
    assert.deepEqual(before.perMinute.at(-1), { minute: T0, counts: {} });
  });
});
