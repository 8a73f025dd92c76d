import type { RobotPolicy } from '../budget/index.ts';
import { ROBOT_POLICIES } from '../budget/index.ts';
import type { Receiver } from '../bundle/index.ts';

/**
 * A receiver's policy: its platform's windows and block length, its own per-minute limit when lower, and half of
 * that per half minute: in a storm, one batch taking the whole minute's budget would leave every later event to
 * wait a minute; spread over two half-minutes, a summary goes out at least every thirty seconds, while a lone
 * incident still gets half the minute's messages at once. A generic webhook has no platform limit, so
 * the receiver's own is the whole budget, and nothing blocks it.
 */
export function policyOf(receiver: Pick<Receiver, 'channel' | 'maxMessagesPerMinute'>): RobotPolicy {
  const platform: RobotPolicy =
    receiver.channel === 'webhook' ? { windows: [], blockMs: 0 } : ROBOT_POLICIES[receiver.channel];
  const perMinute = Math.min(
    receiver.maxMessagesPerMinute,
    ...platform.windows.filter((w) => w.windowMs === 60_000).map((w) => w.limit),
  );
  return {
    windows: [
      ...platform.windows.filter((w) => w.windowMs !== 60_000),
      { limit: perMinute, windowMs: 60_000 },
      { limit: Math.ceil(perMinute / 2), windowMs: 30_000 },
    ],
    blockMs: platform.blockMs,
  };
}
