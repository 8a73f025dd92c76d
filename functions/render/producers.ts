import type { Eta } from 'eta';
import type { Msgtype } from '../bundle/index.ts';
import { compileTemplate } from './compile.ts';
import { sanitize } from './escape.ts';
import { WECOM_MSGTYPES } from './types.ts';
import type { WecomMsgtype } from './types.ts';

/** A rendered message before fitting and mentions: its content (when the msgtype has one) and any body given. */
export interface Draft {
  msgtype: WecomMsgtype;
  /** `undefined` for msgtypes without a text content (news, template_card, …). */
  content: string | undefined;
  /** The body a full-body template produced; `undefined` when code builds the body from the content. */
  body: Record<string, unknown> | undefined;
}

/** A compiled template that turns template data into a draft; throws on a runtime error or a malformed body. */
export interface Producer {
  readonly template: string;
  produce(data: object): Draft;
}

// Raw interpolation, or template code writing to the output buffer directly.
const RAW_OUTPUT = /<%~|\boutput\b|__eta/;

const CONTENT_MSGTYPES: readonly string[] = ['text', 'markdown', 'markdown_v2'];

/** A content template: the output is the message content; `timeLimitMs` bounds each render (compileTemplate). */
export function contentProducer(
  eta: Eta,
  template: string,
  source: string,
  msgtype: Msgtype,
  timeLimitMs?: number,
): Producer {
  const render = compileTemplate(eta, source, timeLimitMs);
  // `<%= %>` output is already sanitized by the escaper; only raw output (or odd template text) needs another pass
  // over the whole content, which would otherwise cost a tenth of a render.
  const clean = RAW_OUTPUT.test(source) || sanitize(source) !== source ? sanitize : (text: string) => text;
  return {
    template,
    produce(data) {
      const content = clean(render(data)).trimEnd();
      // Trimmed at the end, content that is not empty ends in a non-blank character.
      if (content === '') throw new Error('rendered empty content (WeCom rejects it with 44004)');
      return { msgtype, content, body: undefined };
    },
  };
}

/** A full-body template (kube-eventer style): the output must be the whole WeCom JSON body. */
export function bodyProducer(eta: Eta, template: string, source: string, timeLimitMs?: number): Producer {
  const render = compileTemplate(eta, source, timeLimitMs);
  return {
    template,
    produce(data) {
      const text = render(data);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (err) {
        throw new Error(`does not render valid JSON (${(err as Error).message}): ${preview(text)}`);
      }
      return draftFromBody(body);
    },
  };
}

function draftFromBody(body: unknown): Draft {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new Error('must render a JSON object');
  }
  const record = body as Record<string, unknown>;
  const msgtype = record.msgtype;
  if (typeof msgtype !== 'string' || !(WECOM_MSGTYPES as readonly string[]).includes(msgtype)) {
    throw new Error(
      `"msgtype" must be one of ${WECOM_MSGTYPES.join(', ')}, got ${JSON.stringify(msgtype) ?? 'nothing'}`,
    );
  }
  const inner = record[msgtype];
  if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) {
    throw new Error(`"${msgtype}" must be an object`);
  }
  if (!CONTENT_MSGTYPES.includes(msgtype))
    return { msgtype: msgtype as WecomMsgtype, content: undefined, body: record };
  const content = (inner as Record<string, unknown>).content;
  if (typeof content !== 'string' || content.trim() === '') {
    throw new Error(
      `"${msgtype}.content" must be a non-empty string (WeCom rejects empty content with 44004)`,
    );
  }
  return { msgtype: msgtype as WecomMsgtype, content: sanitize(content), body: record };
}

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 120 ? `${flat.slice(0, 120)}…` : flat;
}
