/**
 * Finds where a JSON text first breaks the grammar. V8's `JSON.parse` messages carry no position for most
 * errors ("Unexpected token ',', …"), and a person editing a bundle needs a line and column.
 */
export interface JsonSyntaxError {
  offset: number;
  line: number;
  column: number;
  message: string;
}

/** Returns the first syntax error in `text`, or null when the text is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  let i = 0;
  const fail = (message: string): never => {
    throw Object.assign(new Error(message), { offset: i });
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const expect = (ch: string, what: string) => {
    ws();
    if (text[i] !== ch) fail(`expected ${what}, found ${found()}`);
    i++;
  };
  const found = () => (i >= text.length ? 'the end of the file' : JSON.stringify(text[i]));
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail('control character in a string (write \\n, \\t …)');
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('invalid \\u escape');
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? '')) fail('invalid escape in a string');
      }
      i++;
    }
    if (i >= text.length) fail('unterminated string');
    i++;
  };
  // Far deeper than any bundle, far shallower than the stack: past it the recursion would overflow.
  const MAX_DEPTH = 1000;
  let depth = 0;
  const value = (): void => {
    ws();
    const c = text[i];
    if ((c === '{' || c === '[') && depth >= MAX_DEPTH) fail(`nested more than ${MAX_DEPTH} levels deep`);
    if (c === '{') {
      return members('}', () => {
        ws();
        if (text[i] !== '"') fail(`expected a property name in double quotes, found ${found()}`);
        string();
        expect(':', '":"');
        nested();
      });
    }
    if (c === '[') return members(']', nested);
    if (c === '"') return string();
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(
      text.slice(i, i + 64),
    );
    if (!literal) fail(`expected a value, found ${found()}`);
    i += literal![0].length;
  };
  const nested = () => {
    depth++;
    value();
    depth--;
  };
  // An object's members or an array's items, from its opening bracket to past `close`.
  const members = (close: '}' | ']', member: () => void) => {
    i++;
    ws();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      member();
      ws();
      if (text[i] === ',') {
        i++;
        ws();
        if (text[i] === close) fail(`trailing comma before "${close}"`);
        continue;
      }
      expect(close, `"," or "${close}"`);
      return;
    }
  };
  try {
    value();
    ws();
    if (i < text.length) fail(`unexpected ${found()} after the end of the JSON value`);
    return null;
  } catch (err) {
    const offset = (err as { offset: number }).offset;
    let line = 1;
    let lineStart = 0;
    for (let k = 0; k < offset; k++) {
      if (text.charCodeAt(k) === 10) {
        line++;
        lineStart = k + 1;
      }
    }
    return { offset, line, column: offset - lineStart + 1, message: (err as Error).message };
  }
}
