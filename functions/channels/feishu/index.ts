/**
 * Feishu/Lark custom robots (`open.feishu.cn/open-apis/bot/v2/hook/…`, `open.larksuite.com/…`): limits, body
 * signing, `text`, `post` and `interactive` bodies with mentions and keywords, escaping of event text, the code
 * table and the client.
 */
export { FEISHU_LIMITS } from './limits.ts';
export { feishuSignature, signFeishuBody, FEISHU_SIGNATURE_BYTES } from './sign.ts';
export {
  FEISHU_MSGTYPES,
  buildFeishuBody,
  type FeishuMsgtype,
  type FeishuBody,
  type FeishuTextBody,
  type FeishuPostBody,
  type FeishuPostElement,
  type FeishuCardBody,
  type FeishuCardElement,
  type FeishuBodyOptions,
} from './bodies.ts';
export { feishuMentionIds } from './mentions.ts';
export { escapeFeishuMarkdown, escapeFeishuPlain, FEISHU_ESCAPERS } from './escape.ts';
export { FEISHU_ERRCODES, FEISHU_LOOKUP } from './errcodes.ts';
export { FeishuClient, FEISHU_ENDPOINTS, type FeishuSendOptions } from './client.ts';
