import { Eta } from 'eta';

/** Names of the built-in templates; the renderer provides one for each. */
export const BUILTIN_TEMPLATES = [
  'builtin/text',
  'builtin/text-digest',
  'builtin/markdown',
  'builtin/markdown-digest',
  'builtin/markdown_v2',
  'builtin/markdown_v2-digest',
] as const;

/**
 * Templates are operator-written JavaScript run by Eta, not a sandbox. As a guard against mistakes (not
 * against a hostile operator), code that reaches outside the template data is refused at validation: globals that
 * reach the process, the module system or the network, `this` (the Eta instance, whose config a template could
 * change for every later render: `this.config.autoEscape = false`), and the property names through which any object leads to
 * `Function` (`it.constructor.constructor('…')()`). Code that builds such a name at run time
 * (`it['constr' + 'uctor']`) is not caught: docs/security.md says who may edit templates.
 */
const FORBIDDEN_GLOBALS =
  /(?<![\w$])(process|require|import|module|globalThis|global|eval|Function|Reflect|Proxy|fetch|WebAssembly|this)(?![\w$])/;
// Checked in string literals too, so `it['constructor']` is caught like `it.constructor`.
const FORBIDDEN_PROPERTIES =
  /(constructor|__proto__|prototype|__defineGetter__|__defineSetter__|__lookupGetter__)/;
// A `\u` escape outside a string spells an identifier the checks above cannot read (`proc\u0065ss`).
const IDENTIFIER_ESCAPE = /\\u/;

const TAG = /<%([=~]?)([\s\S]*?)%>/g;

const checker = new Eta({ autoEscape: false, useWith: false });

/** A template problem with the 1-based line inside the template, when it can be located. */
export interface TemplateProblem {
  message: string;
  line?: number;
}

/** Checks that a template compiles and uses no forbidden globals; returns every problem found. */
export function checkTemplate(source: string): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  for (const tag of source.matchAll(TAG)) {
    const code = tag[2] ?? '';
    const stripped = stripStrings(code);
    const forbidden = FORBIDDEN_GLOBALS.exec(stripped) ?? FORBIDDEN_PROPERTIES.exec(code);
    if (forbidden) {
      problems.push({
        message: `template code may not use "${forbidden[1]}" (templates only read the data they are given)`,
        line: lineAt(source, tag.index),
      });
    } else if (IDENTIFIER_ESCAPE.test(stripped)) {
      problems.push({
        message:
          'template code may not spell names with \\u escapes (templates only read the data they are given)',
        line: lineAt(source, tag.index),
      });
    }
  }
  try {
    checker.compile(source);
  } catch (err) {
    problems.push(locateCompileError(source, err as Error));
  }
  return problems;
}

function locateCompileError(source: string, err: Error): TemplateProblem {
  const detail = /line (\d+)/.exec(err.message);
  if (detail)
    return {
      message: firstLine(err.message.replace(/^Bad template syntax\s*/, '')),
      line: Number(detail[1]),
    };
  // Eta reports a JavaScript syntax error with the whole generated function; find the tag that causes it.
  const reason =
    err.message.split('\n').find((l) => l.trim() && !/Bad template syntax/.test(l)) ?? err.message;
  for (const tag of source.matchAll(TAG)) {
    if (tag[1] === '') continue;
    try {
      new Function('it', `return (${tag[2]});`);
    } catch {
      return { message: `template does not compile: ${reason.trim()}`, line: lineAt(source, tag.index) };
    }
  }
  return { message: `template does not compile: ${reason.trim()}` };
}

// Template literals are not stripped: their `${…}` parts are code.
function stripStrings(code: string): string {
  return code.replace(/(["'])(?:\\.|(?!\1)[^\\])*\1/g, '""');
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}
