/**
 * WeCom application messages (kube-eventer's `wechat` sink: corp_id, corp_secret, agent_id, to_user, to_party):
 * limits, `text` and `markdown` bodies to users and departments, escaping of event text, the errcode table, and
 * the client that caches access tokens.
 */
export { WECOM_APP_LIMITS } from './limits.ts';
export {
  WECOM_APP_MSGTYPES,
  buildWecomAppBody,
  type WecomAppMsgtype,
  type WecomAppRecipients,
  type WecomAppBody,
  type WecomAppTextBody,
  type WecomAppMarkdownBody,
} from './bodies.ts';
export { WECOM_APP_ESCAPERS } from './escape.ts';
export { WECOM_APP_ERRCODES, WECOM_APP_LOOKUP, ERRCODE_UNTRUSTED_IP } from './errcodes.ts';
export { WecomAppUntrustedIpError } from './errors.ts';
export {
  WecomAppClient,
  WECOM_API_BASE,
  type WecomAppCredentials,
  type WecomAppSendOptions,
  type WecomAppSendResult,
} from './client.ts';
