/**
 * Splits a Go `text/template` into text and actions, the way Go's lexer does: `{{- ` trims the whitespace before,
 * ` -}}` the whitespace after, comments `{{/* … *\/}}` vanish, and `}}` inside a quoted string does not end an action.
 */

/** Where something sits in the template text: 1-based line and column, and the 0-based offset. */
export interface Position {
  offset: number;
  line: number;
  column: number;
}

/** A stretch of literal template text (already trimmed by neighbouring trim markers). */
export interface TextPiece {
  kind: 'text';
  text: string;
}

/** One `{{ … }}` action: its inner source (trim markers removed) and where it starts. */
export interface ActionPiece {
  kind: 'action';
  source: string;
  /** The action exactly as written, delimiters included, for reports. */
  written: string;
  at: Position;
}

export type Piece = TextPiece | ActionPiece;

/** The lexer's result; `error` is set when the template would not parse in Go either. */
export interface LexResult {
  pieces: Piece[];
  error?: { message: string; at: Position };
}

const TRIM_SPACE = /[ \t\r\n]/;

/** Lexes a Go template. Never throws: an unterminated action is returned as `error` with its position. */
export function lexGoTemplate(template: string): LexResult {
  const pieces: Piece[] = [];
  let cursor = 0;
  let trimNextText = false;
  while (cursor <= template.length) {
    const open = template.indexOf('{{', cursor);
    let text = template.slice(cursor, open === -1 ? template.length : open);
    if (trimNextText) text = text.replace(/^[ \t\r\n]+/, '');
    trimNextText = false;
    if (open === -1) {
      pushText(pieces, text);
      break;
    }
    let inner = open + 2;
    // Go treats `{{-` as a left trim only when a space follows; `{{-3}}` prints minus three.
    if (template[inner] === '-' && TRIM_SPACE.test(template[inner + 1] ?? '')) {
      text = text.replace(/[ \t\r\n]+$/, '');
      inner += 2;
    }
    pushText(pieces, text);
    const close = findClose(template, inner);
    if (close === undefined) {
      return { pieces, error: { message: 'unclosed action', at: positionOf(template, open) } };
    }
    let end = close;
    if (template[close - 1] === '-' && TRIM_SPACE.test(template[close - 2] ?? '')) {
      end = close - 2;
      trimNextText = true;
    }
    const source = template.slice(inner, end).trim();
    if (!(source.startsWith('/*') && source.endsWith('*/'))) {
      pieces.push({
        kind: 'action',
        source,
        written: template.slice(open, close + 2),
        at: positionOf(template, open),
      });
    }
    cursor = close + 2;
  }
  return { pieces };
}

/** Finds the `}}` that ends an action starting at `from`, skipping string, raw-string and rune literals. */
function findClose(template: string, from: number): number | undefined {
  let i = from;
  while (i < template.length) {
    const c = template[i];
    if (c === '}' && template[i + 1] === '}') return i;
    if (c === '"' || c === "'") {
      i++;
      while (i < template.length && template[i] !== c) {
        if (template[i] === '\\') i++;
        if (template[i] === '\n') return undefined;
        i++;
      }
    } else if (c === '`') {
      const end = template.indexOf('`', i + 1);
      if (end === -1) return undefined;
      i = end;
    } else if (c === '/' && template[i + 1] === '*') {
      const end = template.indexOf('*/', i + 2);
      if (end === -1) return undefined;
      i = end + 1;
    }
    i++;
  }
  return undefined;
}

function pushText(pieces: Piece[], text: string): void {
  if (text !== '') pieces.push({ kind: 'text', text });
}

/** The 1-based line and column of an offset in a text. */
export function positionOf(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1 };
}
