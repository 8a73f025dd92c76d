import type { RobotPolicy } from './types.ts';

/**
 * Each platform's per-robot limits. WeCom: 20 a minute, then 45009 and a ~60 s block (research/wecom.md §7).
 * DingTalk: 20 a minute, then 130101 and a 10-minute block. Feishu: 100 a minute and 5 a second. A WeCom
 * application: 30 a minute to a member, then 45009 (docs/channels.md).
 */
export const ROBOT_POLICIES = {
  wecom: { windows: [{ limit: 20, windowMs: 60_000 }], blockMs: 60_000 },
  dingtalk: { windows: [{ limit: 20, windowMs: 60_000 }], blockMs: 600_000 },
  feishu: {
    windows: [
      { limit: 100, windowMs: 60_000 },
      { limit: 5, windowMs: 1_000 },
    ],
    blockMs: 60_000,
  },
  'wecom-app': { windows: [{ limit: 30, windowMs: 60_000 }], blockMs: 60_000 },
} as const satisfies Record<string, RobotPolicy>;
