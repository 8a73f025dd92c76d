import type { ErrcodeTable } from '../delivery/index.ts';

/** WeCom answers 60020 when the caller's IP is not among the application's trusted IPs. */
export const ERRCODE_UNTRUSTED_IP = 60020;

/**
 * What each errcode of `gettoken` and `message/send` means for us (docs/channels.md lists the sources).
 * https://developer.work.weixin.qq.com/document/path/90313
 */
export const WECOM_APP_ERRCODES: ErrcodeTable = new Map([
  [0, { meaning: 'ok', action: 'nothing', outcome: 'ok' }],
  [-1, { meaning: 'system busy', action: 'transient; try again shortly', outcome: 'retry' }],
  [
    40001,
    {
      meaning: 'invalid credential: the corp_secret is wrong',
      action: "check the receiver's corpSecret reference",
      outcome: 'permanent',
    },
  ],
  [40013, { meaning: 'invalid corpid', action: "check the receiver's corpId", outcome: 'permanent' }],
  [
    40014,
    {
      meaning: 'invalid access_token',
      action: 'kube-wecom fetches a new token and sends again',
      outcome: 'token',
    },
  ],
  [
    42001,
    {
      meaning: 'access_token expired',
      action: 'kube-wecom fetches a new token and sends again',
      outcome: 'token',
    },
  ],
  [40056, { meaning: 'invalid agentid', action: "check the receiver's agentId", outcome: 'permanent' }],
  [40008, { meaning: 'invalid message type', action: "check the receiver's msgtype", outcome: 'permanent' }],
  [
    44004,
    {
      meaning: 'empty content',
      action: 'the template rendered nothing for this event',
      outcome: 'permanent',
    },
  ],
  [
    45009,
    {
      meaning: 'api freq out of limit',
      action: 'wait about a minute; group events into digests',
      outcome: 'rate-limited',
    },
  ],
  [
    48002,
    {
      meaning: 'API forbidden: the application may not send messages',
      action: 'grant the application the message permission',
      outcome: 'permanent',
    },
  ],
  [
    ERRCODE_UNTRUSTED_IP,
    {
      meaning:
        "not allowed to access from your IP: the caller's IP is not among the application's trusted IPs",
      action:
        "the Lambda needs a fixed egress IP: run it in a VPC whose private subnets route through a NAT gateway with an Elastic IP, and add that IP to the application's trusted IPs",
      outcome: 'permanent',
    },
  ],
  [
    81013,
    {
      meaning: "every recipient is invalid or outside the application's visible range",
      action: "check toUser/toParty and the application's visible range",
      outcome: 'permanent',
    },
  ],
]);

/** Where to look up codes the table does not know. */
export const WECOM_APP_LOOKUP = 'look it up at https://open.work.weixin.qq.com/devtool/query';
