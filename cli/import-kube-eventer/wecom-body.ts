import type { Msgtype } from '../../functions/bundle/index.ts';
import { lexGoTemplate, translatePieces } from './go-template/index.ts';
import type { ActionPiece, Piece, TemplateIssue } from './go-template/index.ts';

/** What a kube-eventer body template becomes. */
export type BodyImport =
  | {
      /** A WeCom text/markdown body: only its content is a template; kube-wecom builds the JSON. */
      kind: 'content';
      msgtype: Msgtype;
      eta: string;
      mentions: { users: string[]; mobiles: string[]; all: boolean };
      issues: TemplateIssue[];
      notes: string[];
    }
  | {
      /** A WeCom body of another type: the whole body stays a template. */
      kind: 'body';
      eta: string;
      issues: TemplateIssue[];
      notes: string[];
    }
  | {
      /** WeCom rejected every body this template produced; nothing was ever delivered with it. */
      kind: 'rejected';
      reason: string;
    };

const MAPPED_MSGTYPES: readonly string[] = ['text', 'markdown', 'markdown_v2'];
const OTHER_WECOM_MSGTYPES: readonly string[] = ['news', 'image', 'file', 'voice', 'template_card'];
const BLOCK_ACTION = /^(?:if|else|end|range|with|define|block)\b/;

/** Private-use characters survive JSON.parse inside strings and never occur in a real template. */
const MARK_OPEN = '\uE000';
const MARK_CLOSE = '\uE001';
const MARKER = /\uE000(\d+)\uE001/g;

/**
 * Reads a kube-eventer body template. The Go actions are replaced by markers so the body can be parsed as the JSON
 * WeCom receives; a `{"msgtype":"text","text":{"content":…}}` (or markdown) body then becomes a content template,
 * msgtype and mentions, which lets kube-wecom escape every value and fit the byte limits.
 */
export function importBody(template: string): BodyImport {
  const lexed = lexGoTemplate(template);
  if (lexed.error) {
    return {
      kind: 'rejected',
      reason: `the Go template does not parse (${lexed.error.message} at line ${lexed.error.at.line}, column ${lexed.error.at.column}), so kube-eventer failed to render it for every event`,
    };
  }
  const actions = lexed.pieces.filter((piece): piece is ActionPiece => piece.kind === 'action');
  const skeleton = quoteBareMarkers(
    lexed.pieces
      .map((piece) =>
        piece.kind === 'text' ? piece.text : `${MARK_OPEN}${actions.indexOf(piece)}${MARK_CLOSE}`,
      )
      .join(''),
  );
  let body: unknown;
  try {
    body = JSON.parse(skeleton);
  } catch {
    return {
      kind: 'rejected',
      reason:
        'the body is not JSON even before any event value is filled in, so WeCom rejected every message',
    };
  }
  if (!isObject(body) || typeof body.msgtype !== 'string') {
    return {
      kind: 'rejected',
      reason: 'the body has no "msgtype", so WeCom rejected every message (errcode 40008)',
    };
  }
  const msgtype = body.msgtype;
  if (OTHER_WECOM_MSGTYPES.includes(msgtype) && !hasMarker(msgtype)) {
    const translation = translatePieces(lexed.pieces);
    return {
      kind: 'body',
      eta: translation.eta,
      issues: translation.issues,
      notes: [
        `msgtype ${msgtype} is kept as a full-body template (kube-wecom builds only text and markdown bodies itself)`,
      ],
    };
  }
  const section = body[msgtype];
  if (!MAPPED_MSGTYPES.includes(msgtype) || !isObject(section) || typeof section.content !== 'string') {
    return {
      kind: 'rejected',
      reason: `the body is not a WeCom ${msgtype} message with a ${msgtype}.content, so WeCom rejected every message`,
    };
  }

  const notes: string[] = [];
  const used = new Set<number>();
  const content = splitMarkers(section.content, actions, used);
  const mentions = { users: [] as string[], mobiles: [] as string[], all: false };
  for (const [key, into] of [
    ['mentioned_list', mentions.users],
    ['mentioned_mobile_list', mentions.mobiles],
  ] as const) {
    const list = section[key];
    if (list === undefined) continue;
    if (msgtype !== 'text') {
      notes.push(
        `${msgtype}.${key} is ignored: WeCom honours it only in text messages, so nobody was @-mentioned; use <@userid> in the content instead`,
      );
      continue;
    }
    for (const item of Array.isArray(list) ? list : []) {
      if (typeof item !== 'string') continue;
      if (hasMarker(item)) {
        notes.push(
          `${key} entry ${JSON.stringify(showMarkers(item, actions))} is computed by the template; kube-wecom mentions are fixed lists — dropped, use mentions.fromNamespaceAnnotation for per-team mentions`,
        );
        for (const index of markerIndexes(item)) used.add(index);
      } else if (item === '@all') mentions.all = true;
      else into.push(item);
    }
  }
  const ignored = Object.keys(body).filter((key) => key !== 'msgtype' && key !== msgtype);
  const ignoredInSection = Object.keys(section).filter(
    (key) => !['content', 'mentioned_list', 'mentioned_mobile_list'].includes(key),
  );
  if (ignored.length > 0 || ignoredInSection.length > 0) {
    notes.push(
      `ignored by WeCom and dropped: ${[...ignored, ...ignoredInSection.map((key) => `${msgtype}.${key}`)].join(', ')}`,
    );
  }
  const outside = actions.filter((_, index) => !used.has(index));
  const blockOutside = outside.find((action) => BLOCK_ACTION.test(action.source));
  if (blockOutside) {
    const translation = translatePieces(lexed.pieces);
    return {
      kind: 'body',
      eta: translation.eta,
      issues: translation.issues,
      notes: [
        `the template action ${blockOutside.written} shapes the JSON itself, so the whole body stays a template`,
      ],
    };
  }
  if (outside.length > 0)
    notes.push(
      `template actions outside the content are dropped: ${outside.map((action) => action.written).join(' ')}`,
    );
  const translation = translatePieces(content);
  return {
    kind: 'content',
    msgtype: msgtype as Msgtype,
    eta: translation.eta,
    mentions,
    issues: translation.issues,
    notes,
  };
}

/** Markers outside JSON strings (`"count": {{ .Count }}`) are quoted so the skeleton still parses. */
function quoteBareMarkers(skeleton: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < skeleton.length; i++) {
    const c = skeleton[i]!;
    if (inString) {
      if (c === '\\') {
        out += c + (skeleton[i + 1] ?? '');
        i++;
        continue;
      }
      if (c === '"') inString = false;
      out += c;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === MARK_OPEN) {
      const close = skeleton.indexOf(MARK_CLOSE, i);
      out += `"${skeleton.slice(i, close + 1)}"`;
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}

/** Splits decoded content at the markers back into text and the original actions. */
function splitMarkers(text: string, actions: readonly ActionPiece[], used: Set<number>): Piece[] {
  const pieces: Piece[] = [];
  let last = 0;
  for (const match of text.matchAll(MARKER)) {
    if (match.index > last) pieces.push({ kind: 'text', text: text.slice(last, match.index) });
    const index = Number(match[1]);
    used.add(index);
    pieces.push(actions[index]!);
    last = match.index + match[0].length;
  }
  if (last < text.length) pieces.push({ kind: 'text', text: text.slice(last) });
  return pieces;
}

function markerIndexes(text: string): number[] {
  return [...text.matchAll(MARKER)].map((match) => Number(match[1]));
}

function hasMarker(text: string): boolean {
  return text.includes(MARK_OPEN);
}

function showMarkers(text: string, actions: readonly ActionPiece[]): string {
  return text.replace(MARKER, (_, index: string) => actions[Number(index)]!.written);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
