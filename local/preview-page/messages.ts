import type { RecordedMessage } from '../../emulators/wecom/index.ts';

/** A robot of the local rules: the receiver name and the key its webhook URL carries. */
export interface PreviewRobot {
  receiver: string;
  key: string;
}

/** A message the page shows: one the WeCom emulator recorded, or one sent on another channel, named by `channel`. */
export type PreviewRecord = RecordedMessage & { channel?: string };

/** Where the page reads messages from: the WeCom emulator itself, or a feed that adds the other channels' messages. */
export interface PreviewFeed {
  /** Every message, oldest first. */
  messages(): PreviewRecord[];
  /** Calls `listener` with each message from now on; returns a remover. */
  onMessage(listener: (message: PreviewRecord) => void): () => void;
}

/** One recorded message as `/api/messages` and the page's live feed show it. */
export interface PreviewMessage {
  /** Position in the emulator's record, from 1; later messages have higher numbers. */
  seq: number;
  /** The receiver whose robot key the message was sent with; `null` for a key no receiver uses. */
  receiver: string | null;
  /** The last 4 characters of the robot key, so unknown robots can be told apart without showing keys. */
  robot: string;
  msgtype: string;
  /** The channel, for a message not sent to a WeCom group robot (`dingtalk`, `feishu`…); else `null`. */
  channel: string | null;
  /** `content` of text, markdown and markdown_v2; `null` for other msgtypes. */
  content: string | null;
  /** `mentioned_list` (text only; WeCom ignores it elsewhere). */
  mentionedList: string[];
  /** `mentioned_mobile_list` (text only). */
  mentionedMobileList: string[];
  /** Epoch ms by the emulator's clock. */
  receivedAt: number;
  /** UTF-8 bytes of `content`, or of the msgtype's JSON object when there is no content. */
  bytes: number;
  /** The documented byte limit of `content` for this msgtype (text 2048, markdown 4096), else `null`. */
  limit: number | null;
  /** The msgtype's object as received, e.g. `{ content, mentioned_list }`. */
  payload: Record<string, unknown>;
}

const LIMITS: Record<string, number> = { text: 2048, markdown: 4096, markdown_v2: 4096 };

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Maps robot keys to receiver names; a key used by several receivers shows as the first. */
export function receiverIndex(robots: readonly PreviewRobot[]): Map<string, string> {
  const index = new Map<string, string>();
  for (const robot of robots) if (!index.has(robot.key)) index.set(robot.key, robot.receiver);
  return index;
}

/** The API view of the `seq`-th recorded message. */
export function toPreviewMessage(
  message: PreviewRecord,
  seq: number,
  receivers: ReadonlyMap<string, string>,
): PreviewMessage {
  const content = typeof message.payload.content === 'string' ? message.payload.content : null;
  const isText = message.msgtype === 'text';
  return {
    seq,
    receiver: receivers.get(message.key) ?? null,
    robot: message.key.slice(-4),
    msgtype: message.msgtype,
    channel: message.channel ?? null,
    content,
    mentionedList: isText ? strings(message.payload.mentioned_list) : [],
    mentionedMobileList: isText ? strings(message.payload.mentioned_mobile_list) : [],
    receivedAt: message.receivedAt,
    bytes: Buffer.byteLength(content ?? JSON.stringify(message.payload), 'utf8'),
    limit: LIMITS[message.msgtype] ?? null,
    payload: message.payload,
  };
}
