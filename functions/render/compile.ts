import { createContext, Script } from 'node:vm';
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

/**
 * How long one render of an operator's template may run. A template is JavaScript: `<% while (true) {} %>` would
 * otherwise hold the function until Lambda kills it, with every event of the batch. A render takes microseconds,
 * but a loaded machine, a garbage collection or a cold start's first use of `Intl` can pause it for a hundred
 * milliseconds or more, and a spurious timeout costs the operator's template for the rest of the process (below),
 * so the limit is generous.
 */
export const TEMPLATE_TIME_LIMIT_MS = 1000;

/** Thrown when a render ran past its time limit; the renderer then falls back to the built-in template. */
export class TemplateTimeoutError extends Error {
  override name = 'TemplateTimeoutError';
}

// node:vm's timeout is the one way to interrupt synchronous JavaScript in-thread: V8 terminates whatever runs while
// the script runs, the template's function included, and template code cannot catch the termination.
const boundedContext = createContext({ render: undefined as (() => string) | undefined });
const callRender = new Script('render()');

function renderWithin<T>(timeLimitMs: number, render: () => T): T {
  boundedContext.render = render;
  try {
    return callRender.runInContext(boundedContext, { timeout: timeLimitMs }) as T;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      throw new TemplateTimeoutError(`did not finish within ${timeLimitMs} ms`);
    }
    throw err;
  } finally {
    boundedContext.render = undefined;
  }
}

/**
 * Compiles a template source once; throws Eta's error (with line) when it does not compile. With `timeLimitMs`
 * (operators' templates; the built-ins are ours and need none) each render is interrupted after that long with a
 * `TemplateTimeoutError`, at the cost of a watchdog thread per render (figures in docs/security.md), and a template
 * interrupted once fails at once from then on.
 */
export function compileTemplate(eta: Eta, source: string, timeLimitMs?: number): CompiledTemplate {
  const fn = eta.compile(source);
  if (timeLimitMs === undefined) return (data) => fn.call(eta, data);
  // A template that ran past its limit once is not run again in this process: a loop that stalls on one event
  // likely stalls on all, and a batch of them would otherwise cost the limit per event, past Lambda's timeout.
  let stalled: TemplateTimeoutError | undefined;
  return (data) => {
    if (stalled) throw stalled;
    try {
      return renderWithin(timeLimitMs, () => fn.call(eta, data));
    } catch (err) {
      if (err instanceof TemplateTimeoutError) {
        stalled = new TemplateTimeoutError(
          `did not finish within ${timeLimitMs} ms once, so it is no longer run in this process`,
        );
      }
      throw err;
    }
  };
}
