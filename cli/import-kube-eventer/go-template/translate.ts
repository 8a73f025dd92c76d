import { parseAction } from './action.ts';
import type { Command, Operand, Pipeline } from './action.ts';
import { resolveField } from './fields.ts';
import type { ActionPiece, Piece, Position } from './lex.ts';

/** Something about one action of the Go template that the report must show, with where it is. */
export interface TemplateIssue {
  at: Position;
  /** The action as written. */
  written: string;
  message: string;
  /** `changed`: translated, prints differently; `human`: not translated, a person must finish it. */
  severity: 'changed' | 'human';
  /** kube-eventer itself failed to render this template on every event. */
  failedInKubeEventer?: boolean;
}

/** An Eta template translated from Go, and what did not translate cleanly. */
export interface Translation {
  eta: string;
  issues: TemplateIssue[];
}

interface Frame {
  keyword: 'if' | 'with' | 'range' | 'define' | 'block';
  /** What `end` emits. */
  close: string;
  /** The branch being read is dropped (untranslatable block, or a branch after an untranslatable condition). */
  skipping: boolean;
  /** Later `else` branches are dropped too. */
  skipElse: boolean;
  /** The dot inside this block (`with .InvolvedObject` makes `.Name` mean `.InvolvedObject.Name`). */
  dot: string[] | undefined;
  outerDot: string[] | undefined;
  opened: ActionPiece;
}

const COMPARISONS: Record<string, string> = { eq: '===', ne: '!==', lt: '<', le: '<=', gt: '>', ge: '>=' };

class Untranslatable extends Error {
  override name = 'Untranslatable';
}

/**
 * Translates lexed Go template pieces to Eta. Field references become `<%= … %>` over our template data; `if`,
 * `else`, `with` and comparisons become JavaScript; `range`, pipelines, other functions and variables are reported
 * as issues with their position, and the closest useful output is emitted in their place.
 */
export function translatePieces(pieces: readonly Piece[]): Translation {
  const issues: TemplateIssue[] = [];
  const frames: Frame[] = [];
  let dot: string[] | undefined = [];
  let out = '';
  const skipping = () => frames.some((frame) => frame.skipping);
  const issue = (
    piece: ActionPiece,
    message: string,
    severity: TemplateIssue['severity'],
    failedInKubeEventer?: boolean,
  ) => {
    if (!skipping())
      issues.push({
        at: piece.at,
        written: piece.written,
        message,
        severity,
        ...(failedInKubeEventer ? { failedInKubeEventer } : {}),
      });
  };
  const expression = (pipeline: Pipeline, piece: ActionPiece) =>
    translatePipeline(pipeline, dot, piece, issue);

  for (const piece of pieces) {
    if (piece.kind === 'text') {
      if (!skipping()) out += escapeText(piece.text);
      continue;
    }
    const action = parseAction(piece.source);
    switch (action.kind) {
      case 'value': {
        if (skipping()) break;
        const value = valueOf(action.pipeline, dot, piece, issue);
        if (value !== undefined) out += `<%= ${value} %>`;
        break;
      }
      case 'if':
      case 'with': {
        const frame: Frame = {
          keyword: action.kind,
          close: '',
          skipping: false,
          skipElse: false,
          dot,
          outerDot: dot,
          opened: piece,
        };
        if (!skipping()) {
          try {
            const condition =
              action.kind === 'with' && isStruct(withDot(action.pipeline, dot))
                ? 'true'
                : expression(action.pipeline, piece);
            out += `<% if (${condition}) { %>`;
            frame.close = '<% } %>';
            if (action.kind === 'with') frame.dot = withDot(action.pipeline, dot);
          } catch (err) {
            issue(
              piece,
              `${(err as Error).message}; the first branch is kept unconditionally, any else branch is dropped`,
              'human',
            );
            frame.skipElse = true;
            if (action.kind === 'with') frame.dot = undefined;
          }
        }
        frames.push(frame);
        dot = frame.dot;
        break;
      }
      case 'range':
      case 'define':
      case 'block': {
        const what =
          action.kind === 'range' ? 'range loops over a list' : `${action.kind} defines a named template`;
        issue(piece, `${what}; kube-wecom templates do not translate it: the block is dropped`, 'human');
        frames.push({
          keyword: action.kind,
          close: '',
          skipping: true,
          skipElse: true,
          dot,
          outerDot: dot,
          opened: piece,
        });
        break;
      }
      case 'else':
      case 'else-if':
      case 'else-with': {
        const frame = frames.at(-1);
        if (!frame) {
          issue(piece, 'else without if', 'human', true);
          break;
        }
        dot = frame.outerDot;
        if (frame.skipElse) {
          frame.skipping = true;
          break;
        }
        frame.skipping = false;
        if (skipping()) break;
        if (action.kind === 'else') {
          out += '<% } else { %>';
          break;
        }
        try {
          out += `<% } else if (${expression(action.pipeline, piece)}) { %>`;
          if (action.kind === 'else-with') frame.dot = withDot(action.pipeline, frame.outerDot);
          dot = action.kind === 'else-with' ? frame.dot : frame.outerDot;
        } catch (err) {
          issue(piece, `${(err as Error).message}; this branch and the ones after it are dropped`, 'human');
          frame.skipping = true;
          frame.skipElse = true;
        }
        break;
      }
      case 'end': {
        const frame = frames.pop();
        if (!frame) {
          issue(
            piece,
            'end without a block to close (Go refused this template: kube-eventer sent nothing)',
            'human',
            true,
          );
          break;
        }
        dot = frame.outerDot;
        if (!skipping()) out += frame.close;
        break;
      }
      case 'break':
      case 'continue':
        break;
      case 'template':
        issue(piece, `template "${action.name}" includes a named template; it is dropped`, 'human');
        break;
      case 'unsupported':
        issue(piece, `not understood (${action.reason}); it is dropped`, 'human');
        break;
    }
  }
  for (const frame of frames.reverse()) {
    issues.push({
      at: frame.opened.at,
      written: frame.opened.written,
      message: `${frame.keyword} has no end (Go refused this template: kube-eventer sent nothing); closed at the end`,
      severity: 'human',
      failedInKubeEventer: true,
    });
    out += frame.close;
  }
  return { eta: out, issues };
}

type IssueSink = (
  piece: ActionPiece,
  message: string,
  severity: TemplateIssue['severity'],
  failed?: boolean,
) => void;

/**
 * The expression printed by a value action. When the pipeline does not translate, the field it starts from is
 * printed instead (`.LastTimestamp.Format "…"` prints `.LastTimestamp`), or nothing when there is none.
 */
function valueOf(
  pipeline: Pipeline,
  dot: string[] | undefined,
  piece: ActionPiece,
  issue: IssueSink,
): string | undefined {
  try {
    return translatePipeline(pipeline, dot, piece, issue);
  } catch (err) {
    const fallback = startingField(pipeline, dot);
    if (fallback) {
      issue(
        piece,
        `${(err as Error).message}; .${fallback.path.join('.')} is printed as it is instead`,
        'human',
      );
      return fallback.expression;
    }
    issue(piece, `${(err as Error).message}; nothing is printed here`, 'human');
    return undefined;
  }
}

function startingField(
  pipeline: Pipeline,
  dot: string[] | undefined,
): { path: string[]; expression: string } | undefined {
  const first = pipeline.commands[0]?.[0];
  if (first?.kind !== 'field' || (first.root === 'dot' && dot === undefined)) return undefined;
  const path = first.root === 'dollar' ? first.path : [...dot!, ...first.path];
  for (let length = path.length; length > 0; length--) {
    const resolved = resolveField(path.slice(0, length));
    if (!('error' in resolved)) return { path: path.slice(0, length), expression: resolved.expression };
  }
  return undefined;
}

function translatePipeline(
  pipeline: Pipeline,
  dot: string[] | undefined,
  piece: ActionPiece,
  issue: IssueSink,
): string {
  if (pipeline.declares) throw new Untranslatable('declares a template variable');
  if (pipeline.commands.length > 1) throw new Untranslatable('pipes a value through a function (|)');
  return translateCommand(pipeline.commands[0]!, dot, piece, issue);
}

function translateCommand(
  command: Command,
  dot: string[] | undefined,
  piece: ActionPiece,
  issue: IssueSink,
): string {
  const [head, ...args] = command;
  if (!head) throw new Untranslatable('empty command');
  if (head.kind !== 'function') {
    if (args.length > 0) throw new Untranslatable('calls a method with arguments');
    return operand(head, dot, piece, issue);
  }
  const values = () => args.map((arg) => operand(arg, dot, piece, issue));
  const comparison = COMPARISONS[head.name];
  if (comparison) {
    const [left, ...rights] = values();
    if (left === undefined || rights.length === 0)
      throw new Untranslatable(`${head.name} needs two arguments`);
    if (head.name !== 'eq' && rights.length > 1) throw new Untranslatable(`${head.name} takes two arguments`);
    return `(${rights.map((right) => `${left} ${comparison} ${right}`).join(' || ')})`;
  }
  switch (head.name) {
    case 'not':
      if (args.length !== 1) throw new Untranslatable('not takes one argument');
      return `!(${values()[0]})`;
    case 'and':
    case 'or':
      if (args.length < 2) throw new Untranslatable(`${head.name} needs two arguments`);
      return `(${values().join(head.name === 'and' ? ' && ' : ' || ')})`;
    default:
      throw new Untranslatable(`calls the Go function ${head.name}`);
  }
}

function operand(value: Operand, dot: string[] | undefined, piece: ActionPiece, issue: IssueSink): string {
  switch (value.kind) {
    case 'field':
      return fieldExpression(value, dot, piece, issue);
    case 'string':
      return JSON.stringify(value.value);
    case 'number':
      return String(value.value);
    case 'bool':
      return String(value.value);
    case 'nil':
      return 'null';
    case 'group':
      return `(${translatePipeline(value.pipeline, dot, piece, issue)})`;
    case 'variable':
      throw new Untranslatable(`reads the template variable $${value.name}`);
    case 'function':
      throw new Untranslatable(`calls the Go function ${value.name}`);
  }
}

function fieldExpression(
  value: Extract<Operand, { kind: 'field' }>,
  dot: string[] | undefined,
  piece: ActionPiece,
  issue: IssueSink,
): string {
  if (value.root === 'dot' && dot === undefined)
    throw new Untranslatable('reads the dot of an untranslated with');
  const path = value.root === 'dollar' ? value.path : [...dot!, ...value.path];
  const resolved = resolveField(path);
  if ('error' in resolved) {
    const message = `.${path.join('.')} ${resolved.error}`;
    if (resolved.failedInKubeEventer) {
      issue(
        piece,
        `${message}: Go failed on it, so kube-eventer sent nothing for any event; printed as empty`,
        'human',
        true,
      );
      return "''";
    }
    throw new Untranslatable(message);
  }
  if (resolved.difference) issue(piece, resolved.difference, 'changed');
  return resolved.expression;
}

/** A Go struct is always true as a condition, so `with .InvolvedObject` only moves the dot. */
function isStruct(path: string[] | undefined): boolean {
  if (path === undefined || path.length === 0) return path !== undefined;
  const resolved = resolveField(path);
  return 'error' in resolved && resolved.struct === true;
}

function withDot(pipeline: Pipeline, dot: string[] | undefined): string[] | undefined {
  const only =
    pipeline.commands.length === 1 && pipeline.commands[0]!.length === 1
      ? pipeline.commands[0]![0]
      : undefined;
  if (only?.kind !== 'field') return undefined;
  if (only.root === 'dollar') return only.path;
  return dot === undefined ? undefined : [...dot, ...only.path];
}

/** Literal text cannot open an Eta tag by accident: `<%` is printed through a raw tag. */
function escapeText(text: string): string {
  return text.split('<%').join("<%~ '<' %>%");
}
