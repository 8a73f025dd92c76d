import type { ErrcodeTable } from '../delivery/index.ts';

/**
 * What each Feishu/Lark custom-robot code means for us (docs/channels.md lists the sources). The answer is
 * `{"code":…,"msg":…}`; older robots answer `{"StatusCode":…,"StatusMessage":…}`.
 */
export const FEISHU_ERRCODES: ErrcodeTable = new Map([
  [0, { meaning: 'ok: the message was accepted', action: 'nothing', outcome: 'ok' }],
  [
    9499,
    {
      meaning: 'too many request: over 5 messages a second (also seen for other bad requests)',
      action: 'transient; try again after a second',
      outcome: 'retry',
    },
  ],
  [
    11232,
    {
      meaning: 'frequency limited: over 100 messages a minute for this robot',
      action: 'wait a minute; group events into digests, and avoid sending exactly on the hour',
      outcome: 'rate-limited',
    },
  ],
  [
    19001,
    {
      meaning: 'param invalid: the incoming webhook token is invalid, or the robot was removed',
      action: 'copy the webhook URL again from the robot settings and update the reference',
      outcome: 'permanent',
    },
  ],
  [
    19002,
    {
      meaning: 'params error: msg_type or content missing or invalid',
      action: 'a bug: report it',
      outcome: 'permanent',
    },
  ],
  [
    19021,
    {
      meaning: "sign match fail, or the timestamp is not within one hour of Feishu's clock",
      action: "check the receiver's secret and the Lambda's clock",
      outcome: 'permanent',
    },
  ],
  [
    19022,
    {
      meaning: "IP not allowed by the robot's IP allow-list",
      action: "add the Lambda's egress IP to the robot's allow-list",
      outcome: 'permanent',
    },
  ],
  [
    19024,
    {
      meaning: 'key words not found in the message',
      action: "set the receiver's keywords to the robot's",
      outcome: 'permanent',
    },
  ],
  [
    19036,
    {
      meaning: 'the request body is too large (over 20 KB)',
      action: "lower the receiver's maxBytes or shorten the template",
      outcome: 'permanent',
    },
  ],
]);

/** Where to look up codes the table does not know. */
export const FEISHU_LOOKUP =
  'look it up at https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot';
