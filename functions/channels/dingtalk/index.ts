/**
 * DingTalk custom robots (`oapi.dingtalk.com/robot/send?access_token=…`): limits, request signing, `text` and
 * `markdown` bodies with mentions and security keywords, escaping of event text, the errcode table and the client.
 */
export { DINGTALK_LIMITS } from './limits.ts';
export { dingtalkSignature, signDingtalkUrl } from './sign.ts';
export {
  DINGTALK_MSGTYPES,
  buildDingtalkBody,
  type DingtalkMsgtype,
  type DingtalkBody,
  type DingtalkTextBody,
  type DingtalkMarkdownBody,
  type DingtalkBodyOptions,
} from './bodies.ts';
export { dingtalkMentions, type DingtalkAt } from './mentions.ts';
export { escapeDingtalkText, escapeDingtalkMarkdown, DINGTALK_ESCAPERS } from './escape.ts';
export { DINGTALK_ERRCODES, DINGTALK_LOOKUP } from './errcodes.ts';
export { DingtalkClient, DINGTALK_ENDPOINT, type DingtalkSendOptions } from './client.ts';
