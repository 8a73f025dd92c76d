import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROBOT_POLICIES } from '../../../functions/budget/index.ts';
import { appendSlots, EMPTY_BUDGET, localShare, planSlots } from '../../../functions/budget/slots.ts';
import type { BudgetState, RobotPolicy } from '../../../functions/budget/index.ts';

const MINUTE = 60_000;
const MARGIN = 2_000;
const wecom = ROBOT_POLICIES.wecom;
const feishu = ROBOT_POLICIES.feishu;

/** A budget that has recorded `times` as its sends, in order. */
function budgetWith(policy: RobotPolicy, times: number[], blockedUntil = 0): BudgetState {
  return appendSlots({ ...EMPTY_BUDGET, blockedUntil }, policy, times).state;
}
const range = (count: number, at: (i: number) => number) => Array.from({ length: count }, (_, i) => at(i));

describe('planSlots', () => {
  const cases: {
    name: string;
    policy: RobotPolicy;
    state: BudgetState;
    now: number;
    wanted: number;
    maxWaitMs: number;
    slots: number[];
    nextFreeAt: number;
  }[] = [
    {
      name: 'grants what is wanted at once on an idle robot',
      policy: wecom,
      state: EMPTY_BUDGET,
      now: 1_000,
      wanted: 3,
      maxWaitMs: 0,
      slots: [1_000, 1_000, 1_000],
      nextFreeAt: 1_000,
    },
    {
      name: 'stops at the limit, and the next slot frees a window and the margin after the first send',
      policy: wecom,
      state: EMPTY_BUDGET,
      now: 1_000,
      wanted: 25,
      maxWaitMs: 0,
      slots: range(20, () => 1_000),
      nextFreeAt: 1_000 + MINUTE + MARGIN,
    },
    {
      name: 'grants nothing to a full window, and says when the oldest send ages out',
      policy: wecom,
      state: budgetWith(
        wecom,
        range(20, (i) => i * 1_000),
      ),
      now: 30_000,
      wanted: 1,
      maxWaitMs: 0,
      slots: [],
      nextFreeAt: MINUTE + MARGIN,
    },
    {
      name: 'grants slots that aged out of the window, counted from the ring',
      policy: wecom,
      state: budgetWith(
        wecom,
        range(20, (i) => i * 1_000),
      ),
      now: MINUTE + MARGIN + 2_500,
      wanted: 5,
      maxWaitMs: 0,
      slots: range(3, () => MINUTE + MARGIN + 2_500),
      nextFreeAt: MINUTE + MARGIN + 3_000,
    },
    {
      name: 'waits for slots within maxWaitMs, each a window after the send it replaces',
      policy: wecom,
      state: budgetWith(
        wecom,
        range(40, (i) => (i < 20 ? 0 : 10_000 + i)),
      ),
      now: 10_020 + MINUTE + MARGIN,
      wanted: 3,
      maxWaitMs: 1,
      slots: [10_020 + MINUTE + MARGIN, 10_021 + MINUTE + MARGIN],
      nextFreeAt: 10_022 + MINUTE + MARGIN,
    },
    {
      name: 'holds every slot until a block ends',
      policy: wecom,
      state: budgetWith(wecom, [], 90_000),
      now: 1_000,
      wanted: 2,
      maxWaitMs: 90_000,
      slots: [90_000, 90_000],
      nextFreeAt: 90_000,
    },
    {
      name: 'never goes before the last send, even when this clock is behind the one that made it',
      policy: wecom,
      state: budgetWith(wecom, [5_000]),
      now: 3_500,
      wanted: 1,
      maxWaitMs: 10_000,
      slots: [5_000],
      nextFreeAt: 5_000,
    },
    {
      name: 'applies every window: Feishu allows 5 a second within its 100 a minute',
      policy: feishu,
      state: EMPTY_BUDGET,
      now: 0,
      wanted: 7,
      maxWaitMs: 10_000,
      slots: [0, 0, 0, 0, 0, 1_000 + MARGIN, 1_000 + MARGIN],
      nextFreeAt: 1_000 + MARGIN,
    },
    {
      name: 'grants no more than a ring holds in one call, since one write sets each entry once',
      policy: { windows: [{ limit: 2, windowMs: 1_000 }], blockMs: 0 },
      state: EMPTY_BUDGET,
      now: 0,
      wanted: 3,
      maxWaitMs: 60_000,
      slots: [0, 0],
      nextFreeAt: 1_000 + MARGIN,
    },
    {
      name: 'asks for nothing, gets nothing',
      policy: wecom,
      state: EMPTY_BUDGET,
      now: 7,
      wanted: 0,
      maxWaitMs: 0,
      slots: [],
      nextFreeAt: 7,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planSlots(c.state, c.policy, {
        now: c.now,
        wanted: c.wanted,
        maxWaitMs: c.maxWaitMs,
        marginMs: MARGIN,
      });
      assert.deepEqual(plan, { slots: c.slots, nextFreeAt: c.nextFreeAt });
    });
  }

  it('never puts more than the limit in any sliding window, over many small reservations', () => {
    let state = EMPTY_BUDGET;
    const sent: number[] = [];
    for (let now = 0; now < 10 * MINUTE; now += 1_700) {
      const { slots } = planSlots(state, wecom, { now, wanted: 3, maxWaitMs: 5_000, marginMs: MARGIN });
      state = appendSlots(state, wecom, slots).state;
      sent.push(...slots);
    }
    assert.deepEqual(
      sent,
      [...sent].sort((a, b) => a - b),
    );
    for (let i = 20; i < sent.length; i++)
      assert.ok(sent[i]! - sent[i - 20]! >= MINUTE + MARGIN, `send ${i}`);
    assert.ok(sent.length >= 9 * 20, `${sent.length} sends in 10 minutes`);
  });
});

describe('appendSlots', () => {
  it('writes the ring entries of the new sends, wrapping around, and a TTL a day past the last one', () => {
    const { state, change } = appendSlots(
      budgetWith(
        wecom,
        range(19, () => 0),
      ),
      wecom,
      [61_000, 62_000],
    );
    assert.deepEqual(change.expected, { n: 19, blockedUntil: 0 });
    assert.deepEqual(change.writes, [
      { index: 19, time: 61_000 },
      { index: 0, time: 62_000 },
    ]);
    assert.equal(change.expiresAt, 62 + 24 * 3600);
    assert.equal(state.n, 21);
    assert.equal(state.ring[0], 62_000);
  });
});

describe('localShare', () => {
  it('divides each limit among the concurrent invocations, leaving each at least one send', () => {
    assert.deepEqual(
      localShare(feishu, 5).windows.map((w) => w.limit),
      [20, 1],
    );
    assert.deepEqual(
      localShare(wecom, 30).windows.map((w) => w.limit),
      [1],
    );
  });
});
