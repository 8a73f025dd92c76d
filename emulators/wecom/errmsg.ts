import { randomInt } from 'node:crypto';

/**
 * WeCom's error `errmsg` format, as seen in real captures (docs/wecom.md, Answers):
 * `<reason>, hint: [<25 digits>], from ip: <caller ip>, more info at https://open.work.weixin.qq.com/devtool/query?e=<code>`.
 * The hint's first 10 digits are unix seconds.
 */
export function formatErrmsg(errcode: number, reason: string, fromIp: string, now: number): string {
  const seconds = String(Math.floor(now / 1000)).padStart(10, '0');
  const hint = seconds + Array.from({ length: 15 }, () => randomInt(10)).join('');
  return `${reason}, hint: [${hint}], from ip: ${fromIp}, more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}`;
}

/**
 * The reason text per errcode. -1, 93000, 40008, 44004, 45009 and 40058 are as captured; 93004 and 93008 were never
 * seen in a capture, so their wording is our guess from the errcode documentation.
 */
export const REASONS: Readonly<Record<number, string>> = {
  0: 'ok',
  [-1]: 'system busy',
  93000: 'invalid webhook url',
  93004: 'webhook robot is disabled',
  93008: 'webhook robot not in chat',
  40008: 'invalid message type',
  44004: 'empty content',
  45009: 'api freq out of limit',
};

/** The 40058 reason for over-long content, e.g. `markdown.content exceed max length 4096. invalid Request Parameter`. */
export function tooLongReason(msgtype: string, limit: number): string {
  return `${msgtype}.content exceed max length ${limit}. invalid Request Parameter`;
}
