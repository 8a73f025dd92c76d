/**
 * Reads a `--sink` value exactly as kube-eventer does (`common/flags/flags.go`, Go's `net/url`): split on the first
 * `:` into the sink kind and its URL, expand `$VAR`/`${VAR}` like `os.ExpandEnv`, then parse the query with Go's
 * rules (`&`-separated, `+` is a space, a pair with `;` or a bad `%` escape is dropped, repeated keys kept in order).
 */

/** Marks an environment variable whose value is not known at import time (it is read at run time). */
const UNKNOWN_ENV = /\uE010env:([^\uE011]*)\uE011/g;

/** Builds the marker for an environment variable whose value is only known where kube-eventer runs. */
export function unknownEnv(name: string): string {
  return `\uE010env:${name}\uE011`;
}

/** The environment variables a value refers to but that are unknown here; `[]` when none. */
export function unknownEnvNames(value: string): string[] {
  return [...value.matchAll(UNKNOWN_ENV)].map((match) => match[1]!);
}

/** The variable name when the whole value is one unknown environment variable (`key=${WECOM_KEY}`). */
export function wholeUnknownEnv(value: string): string | undefined {
  const match = /^\uE010env:([^\uE011]*)\uE011$/.exec(value);
  return match?.[1];
}

/** Replaces unknown-variable markers for display: `${NAME}`. */
export function showEnv(value: string): string {
  return value.replace(UNKNOWN_ENV, (_, name: string) => `\${${name}}`);
}

/** A parsed `--sink` value. */
export interface SinkUri {
  /** `webhook`, `dingtalk`, `kafka`, … (empty when the value had none). */
  kind: string;
  /** The URL part after `kind:`, environment expanded. */
  target: string;
  /** The URL's host and path, when it parses; undefined otherwise. */
  url: { protocol: string; host: string; pathname: string } | undefined;
  /** Query parameters in order of appearance, Go's `url.Values`. */
  query: Map<string, string[]>;
  /** Query pairs Go dropped, with why. */
  droppedPairs: string[];
}

/**
 * Parses a sink flag value. `lookupEnv` gives the value kube-eventer's process would see for a variable, or
 * undefined when it is not known here (the variable is then kept as a marker, see `unknownEnv`).
 */
export function parseSinkUri(
  value: string,
  lookupEnv: (name: string) => string | undefined = () => undefined,
): SinkUri {
  const colon = value.indexOf(':');
  const kind = colon === -1 ? value : value.slice(0, colon);
  const target = colon === -1 ? '' : expandEnv(value.slice(colon + 1), lookupEnv);
  const hash = target.indexOf('#');
  const beforeFragment = hash === -1 ? target : target.slice(0, hash);
  const question = beforeFragment.indexOf('?');
  const rawQuery = question === -1 ? '' : beforeFragment.slice(question + 1);
  const query = new Map<string, string[]>();
  const droppedPairs: string[] = [];
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    if (pair.includes(';')) {
      droppedPairs.push(`${pair} (Go drops query pairs containing ";")`);
      continue;
    }
    const equals = pair.indexOf('=');
    const key = queryUnescape(equals === -1 ? pair : pair.slice(0, equals));
    const val = queryUnescape(equals === -1 ? '' : pair.slice(equals + 1));
    if (key === undefined || val === undefined) {
      droppedPairs.push(`${pair} (invalid % escape; Go drops the pair)`);
      continue;
    }
    const list = query.get(key);
    if (list) list.push(val);
    else query.set(key, [val]);
  }
  return { kind, target, url: parseHostAndPath(beforeFragment, question), query, droppedPairs };
}

function parseHostAndPath(target: string, question: number): SinkUri['url'] {
  const base = question === -1 ? target : target.slice(0, question);
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(\/[^?#]*)?$/.exec(base);
  if (!match || match[2] === '') return undefined;
  return { protocol: `${match[1]!.toLowerCase()}:`, host: match[2]!.toLowerCase(), pathname: match[3] ?? '' };
}

/** Go's `url.QueryUnescape`: `+` is a space, `%XX` a byte; a malformed escape makes the whole value invalid. */
function queryUnescape(text: string): string | undefined {
  if (!/%/.test(text)) return text.replace(/\+/g, ' ');
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c === '+') {
      bytes.push(0x20);
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

const SHELL_SPECIAL = /^[*#$@!?\-0-9]/;

/**
 * Go's `os.ExpandEnv`: `${NAME}` and `$NAME` are replaced, `$` followed by something else stays, bad `${` syntax is
 * eaten. Unknown variables become markers (`unknownEnv`) so the importer can tell them apart from empty values.
 */
export function expandEnv(text: string, lookupEnv: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar === -1 || dollar === text.length - 1) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    const rest = text.slice(dollar + 1);
    let name = '';
    let width = 0;
    if (rest[0] === '{') {
      const close = rest.indexOf('}');
      if (close === -1) width = 1;
      else if (close === 1) width = 2;
      else {
        name = rest.slice(1, close);
        width = close + 1;
      }
    } else if (SHELL_SPECIAL.test(rest)) {
      name = rest[0]!;
      width = 1;
    } else {
      name = /^[A-Za-z0-9_]*/.exec(rest)![0];
      width = name.length;
    }
    if (name === '' && width === 0) out += '$';
    else if (name !== '') out += lookupEnv(name) ?? unknownEnv(name);
    i = dollar + 1 + width;
  }
  return out;
}
