import type { ErrcodeTable } from '../delivery/index.ts';

/**
 * What each DingTalk custom-robot errcode means for us (docs/channels.md lists the sources). DingTalk answers HTTP
 * 200 with `{"errcode":…,"errmsg":…}` for every outcome.
 */
export const DINGTALK_ERRCODES: ErrcodeTable = new Map([
  [0, { meaning: 'ok: the message was accepted', action: 'nothing', outcome: 'ok' }],
  [-1, { meaning: 'system busy', action: 'transient; try again shortly', outcome: 'retry' }],
  [
    130101,
    {
      meaning: 'send too fast: more than 20 messages a minute, and the robot is now blocked for 10 minutes',
      action: 'wait out the block; group events into digests or give noisy routes their own robot',
      outcome: 'rate-limited',
    },
  ],
  [
    410100,
    {
      meaning: 'sending too fast, throttled (an older code for the same limit as 130101)',
      action: 'wait out the block',
      outcome: 'rate-limited',
    },
  ],
  [
    310000,
    {
      meaning:
        'security check failed: sign not match, invalid timestamp, keywords not in content, or IP not allowed',
      action:
        "check the receiver's secret (it starts with SEC), the Lambda's clock, its keywords, or the robot's IP allow-list; errmsg says which",
      outcome: 'permanent',
    },
  ],
  [
    300001,
    {
      meaning: 'token is not exist: the access_token is wrong, or the robot was removed',
      action: 'copy the webhook URL again from the robot settings and update the reference',
      outcome: 'permanent',
    },
  ],
  [
    400013,
    { meaning: 'the group was dissolved', action: 'remove or replace the receiver', outcome: 'permanent' },
  ],
  [
    400101,
    { meaning: 'access_token does not exist', action: 'copy the webhook URL again', outcome: 'permanent' },
  ],
  [
    400102,
    {
      meaning: 'the robot is disabled',
      action: 'enable the robot in the group settings',
      outcome: 'permanent',
    },
  ],
  [
    400105,
    { meaning: 'unsupported message type', action: "check the receiver's msgtype", outcome: 'permanent' },
  ],
  [
    400106,
    {
      meaning: 'the robot does not exist',
      action: 'create a robot and update the reference',
      outcome: 'permanent',
    },
  ],
  [
    430101,
    {
      meaning: 'content refused: unsafe external link, or other content DingTalk blocks (430101–430104)',
      action: 'the message itself is refused; check the template and the event text',
      outcome: 'permanent',
    },
  ],
  [
    460101,
    {
      meaning: 'message too long, exceed 20000 bytes',
      action: "lower the receiver's maxBytes or shorten the template",
      outcome: 'permanent',
    },
  ],
  [
    40035,
    {
      meaning: 'missing parameter json: the body is not JSON',
      action: 'a bug: report it',
      outcome: 'permanent',
    },
  ],
  [40008, { meaning: 'invalid msgtype', action: "check the receiver's msgtype", outcome: 'permanent' }],
]);

/** Where to look up codes the table does not know. */
export const DINGTALK_LOOKUP =
  'look it up at https://open.dingtalk.com/document/orgapp/server-api-error-codes-1';
