import type { ChannelContent } from '../content/index.ts';

/** The msgtypes kube-wecom sends as application messages. */
export const WECOM_APP_MSGTYPES = ['text', 'markdown'] as const;
export type WecomAppMsgtype = (typeof WECOM_APP_MSGTYPES)[number];

/** Who receives an application message: kube-eventer's `agent_id`, `to_user` and `to_party`. */
export interface WecomAppRecipients {
  agentId: number;
  /** Member user ids; `@all` for everyone in the application's visible range. */
  toUser?: readonly string[];
  /** Department ids. */
  toParty?: readonly string[];
}

interface WecomAppEnvelope {
  /** `|`-separated user ids, or `@all`. */
  touser?: string;
  /** `|`-separated department ids. */
  toparty?: string;
  agentid: number;
}

export interface WecomAppTextBody extends WecomAppEnvelope {
  msgtype: 'text';
  text: { content: string };
}

export interface WecomAppMarkdownBody extends WecomAppEnvelope {
  msgtype: 'markdown';
  markdown: { content: string };
}

export type WecomAppBody = WecomAppTextBody | WecomAppMarkdownBody;

// `|` separates ids in the body, so an id containing one (or anything unusual) would address someone else.
const USER_ID = /^[A-Za-z0-9_.@-]{1,64}$/;
const PARTY_ID = /^[0-9]{1,20}$/;

/**
 * Builds the body of `msgtype` from rendered content (escaped with `WECOM_APP_ESCAPERS[msgtype]`). Application
 * messages go to people, not into a group, so there are no mentions: the recipients are the mentions. With no
 * recipient at all, the message goes to `@all`, as kube-eventer's `wechat` sink does.
 */
export function buildWecomAppBody(
  msgtype: WecomAppMsgtype,
  content: ChannelContent,
  recipients: WecomAppRecipients,
): WecomAppBody {
  const users = (recipients.toUser ?? []).filter((u) => USER_ID.test(u));
  const parties = (recipients.toParty ?? []).filter((p) => PARTY_ID.test(p));
  const envelope: WecomAppEnvelope = {
    ...(users.length > 0 || parties.length === 0
      ? { touser: users.includes('@all') ? '@all' : users.join('|') || '@all' }
      : {}),
    ...(parties.length > 0 ? { toparty: parties.join('|') } : {}),
    agentid: recipients.agentId,
  };
  return msgtype === 'text'
    ? { ...envelope, msgtype, text: { content: content.text } }
    : { ...envelope, msgtype, markdown: { content: content.text } };
}
