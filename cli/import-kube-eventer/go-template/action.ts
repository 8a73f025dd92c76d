/**
 * Parses the inside of one Go template action into a small syntax tree: the keyword form (`if`, `range`, `end`, …)
 * or a pipeline of commands. Only what kube-eventer templates use is modelled; anything else is `unsupported`.
 */

export type Operand =
  | { kind: 'field'; root: 'dot' | 'dollar'; path: string[] }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'nil' }
  | { kind: 'function'; name: string }
  | { kind: 'variable'; name: string; path: string[] }
  | { kind: 'group'; pipeline: Pipeline };

/** One command: an operand, or a function applied to arguments. */
export type Command = Operand[];
/** Commands joined by `|`; a declaration (`$x := …`) is marked. */
export interface Pipeline {
  commands: Command[];
  declares: boolean;
}

export type Action =
  | { kind: 'if' | 'with' | 'range'; pipeline: Pipeline }
  | { kind: 'else-if'; pipeline: Pipeline }
  | { kind: 'else-with'; pipeline: Pipeline }
  | { kind: 'else' }
  | { kind: 'end' | 'break' | 'continue' }
  | { kind: 'define' | 'block' | 'template'; name: string }
  | { kind: 'value'; pipeline: Pipeline }
  | { kind: 'unsupported'; reason: string };

const KEYWORDS = new Set([
  'if',
  'else',
  'end',
  'range',
  'with',
  'define',
  'template',
  'block',
  'break',
  'continue',
]);

type Token =
  | { t: 'field'; path: string[] }
  | { t: 'dollar'; name: string; path: string[] }
  | { t: 'ident'; name: string }
  | { t: 'string'; value: string }
  | { t: 'number'; value: number }
  | { t: 'punct'; value: '|' | '(' | ')' | ':=' | '=' | ',' };

/** Parses an action's source (without delimiters and trim markers). */
export function parseAction(source: string): Action {
  let tokens: Token[];
  try {
    tokens = tokenize(source);
  } catch (err) {
    return { kind: 'unsupported', reason: (err as Error).message };
  }
  const first = tokens[0];
  if (!first) return { kind: 'unsupported', reason: 'empty action' };
  if (first.t === 'ident' && KEYWORDS.has(first.name)) return keywordAction(first.name, tokens.slice(1));
  try {
    return { kind: 'value', pipeline: parsePipeline(tokens) };
  } catch (err) {
    return { kind: 'unsupported', reason: (err as Error).message };
  }
}

function keywordAction(keyword: string, rest: Token[]): Action {
  try {
    switch (keyword) {
      case 'if':
      case 'with':
      case 'range':
        return { kind: keyword, pipeline: parsePipeline(rest) };
      case 'else': {
        const next = rest[0];
        if (!next) return { kind: 'else' };
        if (next.t === 'ident' && next.name === 'if')
          return { kind: 'else-if', pipeline: parsePipeline(rest.slice(1)) };
        if (next.t === 'ident' && next.name === 'with')
          return { kind: 'else-with', pipeline: parsePipeline(rest.slice(1)) };
        return { kind: 'unsupported', reason: 'unexpected words after else' };
      }
      case 'end':
      case 'break':
      case 'continue':
        return { kind: keyword };
      default: {
        const name = rest[0];
        return {
          kind: keyword as 'define' | 'block' | 'template',
          name: name?.t === 'string' ? name.value : '',
        };
      }
    }
  } catch (err) {
    return { kind: 'unsupported', reason: (err as Error).message };
  }
}

function parsePipeline(tokens: Token[]): Pipeline {
  let declares = false;
  const assign = tokens.findIndex(
    (token) => token.t === 'punct' && (token.value === ':=' || token.value === '='),
  );
  if (assign !== -1) {
    declares = true;
    tokens = tokens.slice(assign + 1);
  }
  const commands: Command[] = [];
  let current: Command = [];
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i]!;
    if (token.t === 'punct' && token.value === '|') {
      if (current.length === 0) throw new Error('missing command before |');
      commands.push(current);
      current = [];
      i++;
      continue;
    }
    if (token.t === 'punct' && token.value === '(') {
      const close = matchingParen(tokens, i);
      current.push({ kind: 'group', pipeline: parsePipeline(tokens.slice(i + 1, close)) });
      i = close + 1;
      continue;
    }
    if (token.t === 'punct') throw new Error(`unexpected "${token.value}"`);
    current.push(operandOf(token));
    i++;
  }
  if (current.length === 0) throw new Error('missing command');
  commands.push(current);
  return { commands, declares };
}

function operandOf(token: Exclude<Token, { t: 'punct' }>): Operand {
  switch (token.t) {
    case 'field':
      return { kind: 'field', root: 'dot', path: token.path };
    case 'dollar':
      return token.name === ''
        ? { kind: 'field', root: 'dollar', path: token.path }
        : { kind: 'variable', name: token.name, path: token.path };
    case 'string':
      return { kind: 'string', value: token.value };
    case 'number':
      return { kind: 'number', value: token.value };
    case 'ident':
      if (token.name === 'true' || token.name === 'false')
        return { kind: 'bool', value: token.name === 'true' };
      if (token.name === 'nil') return { kind: 'nil' };
      return { kind: 'function', name: token.name };
  }
}

function matchingParen(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.t !== 'punct') continue;
    if (token.value === '(') depth++;
    if (token.value === ')' && --depth === 0) return i;
  }
  throw new Error('unclosed parenthesis');
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;
const FIELD_CHAIN = /^(?:\.[A-Za-z_][A-Za-z0-9_]*)+/;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i);
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (rest.startsWith(':=')) {
      tokens.push({ t: 'punct', value: ':=' });
      i += 2;
    } else if ('|()=,'.includes(c)) {
      tokens.push({ t: 'punct', value: c as '|' | '(' | ')' | '=' | ',' });
      i++;
    } else if (c === '.') {
      const chain = FIELD_CHAIN.exec(rest)?.[0];
      if (chain) {
        tokens.push({ t: 'field', path: chain.slice(1).split('.') });
        i += chain.length;
      } else if (/^\.[0-9]/.test(rest)) {
        const number = /^\.[0-9]+/.exec(rest)![0];
        tokens.push({ t: 'number', value: Number(number) });
        i += number.length;
      } else {
        tokens.push({ t: 'field', path: [] });
        i++;
      }
    } else if (c === '$') {
      const name = IDENT.exec(source.slice(i + 1))?.[0] ?? '';
      const chain = FIELD_CHAIN.exec(source.slice(i + 1 + name.length))?.[0] ?? '';
      tokens.push({ t: 'dollar', name, path: chain ? chain.slice(1).split('.') : [] });
      i += 1 + name.length + chain.length;
    } else if (c === '"') {
      const end = stringEnd(source, i);
      tokens.push({
        t: 'string',
        value: JSON.parse(source.slice(i, end + 1).replace(/\\'/g, "'")) as string,
      });
      i = end + 1;
    } else if (c === '`') {
      const end = source.indexOf('`', i + 1);
      if (end === -1) throw new Error('unterminated raw string');
      tokens.push({ t: 'string', value: source.slice(i + 1, end) });
      i = end + 1;
    } else if (/[-+0-9]/.test(c)) {
      const number = /^[-+]?(?:0x[0-9a-fA-F]+|[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)/.exec(rest)?.[0];
      if (!number) throw new Error(`unexpected "${c}"`);
      tokens.push({ t: 'number', value: Number(number) });
      i += number.length;
    } else {
      const ident = IDENT.exec(rest)?.[0];
      if (!ident) throw new Error(`unexpected "${c}"`);
      // A method or field call on a function result (`(…).Format`) is not modelled.
      tokens.push({ t: 'ident', name: ident });
      i += ident.length;
    }
  }
  return tokens;
}

function stringEnd(source: string, start: number): number {
  for (let i = start + 1; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === '"') return i;
  }
  throw new Error('unterminated string');
}
