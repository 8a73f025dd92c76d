import { Eta } from 'eta';
import type { EtaConfig } from 'eta';

type AstNode = ReturnType<Eta['parse']>[number];

/** A compiled template: data in, text out. */
export type CompiledTemplate = (data: object) => string;

/**
 * A control tag (`<% if … %>`, `<% } %>`) alone on its line removes the whole line, like a Mustache standalone
 * tag, while a newline after an interpolation is kept. Eta's own `autoTrim` cannot tell the two apart, and
 * message templates are line-oriented.
 */
// Eta's AST holds template text already escaped for JavaScript: a newline is the two characters `\n` and a literal
// backslash is `\\`, so a newline is a `\n` not preceded by an odd run of backslashes.
const LEAD = /(^|(?<!\\)(?:\\\\)*\\n)[ \t]*$/;
const TRAIL = /^[ \t]*(\\n|$)/;

const standaloneControlLines = {
  processAST(ast: AstNode[]): AstNode[] {
    for (let i = 0; i < ast.length; i++) {
      const node = ast[i]!;
      if (typeof node === 'string' || node.t !== 'e') continue;
      const before = i === 0 ? '' : ast[i - 1];
      const after = i === ast.length - 1 ? '' : ast[i + 1];
      if (typeof before !== 'string' || typeof after !== 'string') continue;
      const lead = LEAD.exec(before);
      const trail = TRAIL.exec(after);
      if (!lead || !trail) continue;
      if (i > 0) ast[i - 1] = before.slice(0, lead.index + lead[1]!.length);
      if (i < ast.length - 1) ast[i + 1] = after.slice(trail[0].length);
    }
    return ast;
  },
};

function display(value: unknown): string {
  return value === undefined || value === null ? '' : typeof value === 'string' ? value : String(value);
}

/**
 * An Eta whose `<%= %>` applies `escape` (after turning null/undefined into '') and whose `<%~ %>` stays raw.
 * Templates are compiled once and rendered many times; nothing is cached by name.
 */
export function createEta(escape: (text: string) => string): Eta {
  const config: Partial<EtaConfig> = {
    autoEscape: true,
    escapeFunction: (value: unknown) => escape(display(value)),
    autoFilter: true,
    filterFunction: display,
    autoTrim: false,
    useWith: false,
    varName: 'it',
    cache: false,
    plugins: [standaloneControlLines],
  };
  return new Eta(config);
}

/** Compiles a template source once; throws Eta's error (with line) when it does not compile. */
export function compileTemplate(eta: Eta, source: string): CompiledTemplate {
  const fn = eta.compile(source);
  return (data) => fn.call(eta, data);
}
