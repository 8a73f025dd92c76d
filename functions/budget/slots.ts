import type { BudgetState, RobotPolicy, SlotAppend } from './types.ts';

/** What one reservation asks for. */
export interface SlotRequest {
  now: number;
  wanted: number;
  maxWaitMs: number;
  /** Added to every window: containers' clocks disagree a little, and a send happens a little after its slot. */
  marginMs: number;
}

/** The ring remembers as many sends as the largest window allows, which is all any window ever looks back. */
export function ringSize(policy: RobotPolicy): number {
  return Math.max(...policy.windows.map((w) => w.limit));
}

/**
 * The slot times for the next sends of a robot: send number `m` goes no earlier than now, the block, send `m - 1`,
 * and, for each window, send `m - limit` plus the window and the margin. Times never decrease with the send number,
 * so any `limit + 1` consecutive sends span more than the window: at most `limit` sends fall in any sliding window,
 * however many containers reserve. Grants at most `wanted` (and at most a ring's worth, since one write can set each
 * ring entry only once) and only slots by `now + maxWaitMs`; `nextFreeAt` is when the next send after them could go.
 */
export function planSlots(
  state: BudgetState,
  policy: RobotPolicy,
  request: SlotRequest,
): { slots: number[]; nextFreeAt: number } {
  const size = ringSize(policy);
  const wanted = Math.min(request.wanted, size);
  const latest = request.now + request.maxWaitMs;
  const slots: number[] = [];
  const sendTime = (m: number) => (m >= state.n ? slots[m - state.n] : state.ring[m % size]);
  for (;;) {
    const m = state.n + slots.length;
    const previous = m > 0 ? sendTime(m - 1) : undefined;
    let time = Math.max(request.now, state.blockedUntil, previous ?? 0);
    for (const window of policy.windows) {
      const earlier = m - window.limit >= 0 ? sendTime(m - window.limit) : undefined;
      if (earlier !== undefined) time = Math.max(time, earlier + window.windowMs + request.marginMs);
    }
    if (slots.length >= wanted || time > latest) return { slots, nextFreeAt: time };
    slots.push(time);
  }
}

/**
 * How long an item outlives its last slot or block: far longer than any window, so a budget TTL deletes is stale
 * (and TTL deletion is lazy anyway: DynamoDB removes expired items within days, not on the second).
 */
const TTL_SLACK_SECONDS = 24 * 3600;

/** The state after `slots` were appended, and the change that records them. */
export function appendSlots(
  state: BudgetState,
  policy: RobotPolicy,
  slots: readonly number[],
): { state: BudgetState; change: SlotAppend } {
  const size = ringSize(policy);
  const ring = [...state.ring];
  const writes = slots.map((time, i) => ({ index: (state.n + i) % size, time }));
  for (const { index, time } of writes) ring[index] = time;
  const next = { n: state.n + slots.length, ring, blockedUntil: state.blockedUntil };
  return {
    state: next,
    change: {
      expected: { n: state.n, blockedUntil: state.blockedUntil },
      writes,
      expiresAt: expiresAtFor(Math.max(slots.at(-1) ?? 0, state.blockedUntil)),
    },
  };
}

/** The TTL (epoch seconds) of an item last used at `lastUse` (epoch ms): it constrains nothing after then. */
export function expiresAtFor(lastUse: number): number {
  return Math.ceil(lastUse / 1000) + TTL_SLACK_SECONDS;
}

/**
 * The policy one process may use alone when the table cannot answer: each window's limit divided among the
 * invocations that may run at once (at least one send per window, or a robot could never send at all).
 */
export function localShare(policy: RobotPolicy, concurrency: number): RobotPolicy {
  return {
    ...policy,
    windows: policy.windows.map((w) => ({ ...w, limit: Math.max(1, Math.floor(w.limit / concurrency)) })),
  };
}

/** A robot nobody has reserved for yet. */
export const EMPTY_BUDGET: BudgetState = { n: 0, ring: [], blockedUntil: 0 };
