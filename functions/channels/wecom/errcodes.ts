/**
 * What each WeCom robot errcode means and what an operator should do about it (docs/wecom.md, Errcodes). This table is
 * the one place that decides whether an errcode is worth retrying; the client and `send-test` both read it.
 */
export interface ErrcodeInfo {
  /** What WeCom is telling us. */
  meaning: string;
  /** What to do about it. */
  action: string;
  /** Whether sending the same message again later can succeed. */
  retryable: boolean;
}

/** WeCom's answer when the robot itself is unusable (bad key, disabled, removed): nothing for this robot will work. */
export const ROBOT_UNAVAILABLE_ERRCODES: ReadonlySet<number> = new Set([93000, 93004, 93008]);

/** Rate limited: the robot sent more than 20 messages within a minute and is blocked for about 60 s. */
export const ERRCODE_RATE_LIMITED = 45009;

const ERRCODES: ReadonlyMap<number, ErrcodeInfo> = new Map([
  [0, { meaning: 'ok: the message was accepted', action: 'nothing', retryable: false }],
  [
    -1,
    {
      meaning: 'system busy',
      action: 'transient; kube-wecom retries with backoff, and SQS redelivers if the retries run out',
      retryable: true,
    },
  ],
  [
    ERRCODE_RATE_LIMITED,
    {
      meaning:
        'rate limited: more than 20 messages within a minute for this robot (the limit is shared by everything using the key)',
      action:
        'kube-wecom waits for the ~60 s block to pass; to avoid it, group events into digests, tighten routes or repeat, or give noisy routes their own robot',
      retryable: true,
    },
  ],
  [
    93000,
    {
      meaning: 'invalid webhook URL: the key is wrong, or the robot was removed from its group',
      action:
        'copy the webhook key again from the group robot settings and update the environment variable or SSM parameter',
      retryable: false,
    },
  ],
  [
    93004,
    {
      meaning: 'the robot is disabled',
      action: 'enable the robot again in the group settings',
      retryable: false,
    },
  ],
  [
    93008,
    {
      meaning: 'the robot is not in the group',
      action: 'add the robot back to the group, or create a new one and update the key',
      retryable: false,
    },
  ],
  [
    40008,
    {
      meaning: 'invalid message type: the body has no valid msgtype, or is not JSON',
      action: 'check the receiver\'s msgtype; a full-body template must produce {"msgtype": ...}',
      retryable: false,
    },
  ],
  [
    44004,
    {
      meaning: 'empty content',
      action: 'the template rendered nothing for this event; make it always produce text',
      retryable: false,
    },
  ],
  [
    40058,
    {
      meaning:
        'invalid parameter, usually content over the size limit (markdown 4096 bytes, text 2048 documented)',
      action: "shorten the template or lower the receiver's maxBytes",
      retryable: false,
    },
  ],
]);

/** Explains an errcode; unknown codes are permanent and point to WeCom's own lookup page. */
export function explainErrcode(errcode: number): ErrcodeInfo {
  return (
    ERRCODES.get(errcode) ?? {
      meaning: `errcode ${errcode} is not one a group robot is known to return`,
      action: `look it up at https://open.work.weixin.qq.com/devtool/query?e=${errcode}`,
      retryable: false,
    }
  );
}

/** Every errcode the table explains, for help output and tests. */
export function knownErrcodes(): number[] {
  return [...ERRCODES.keys()];
}
