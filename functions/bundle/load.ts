import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { BundleError } from './errors.ts';
import type { BundleProblem } from './errors.ts';
import { jsonPath } from './json-path.ts';
import { findJsonSyntaxError } from './json-syntax.ts';
import type { Bundle } from './schema.ts';
import { validateBundle } from './validate.ts';

/** A bundle ready to compile, with the warnings validation produced (they never block). */
export interface LoadedBundle {
  bundle: Bundle;
  warnings: BundleProblem[];
}

/**
 * Reads, parses and validates a bundle file, resolving `{ "file": … }` templates relative to it. Throws a
 * `BundleError` carrying every problem (a JSON syntax error comes with its line).
 */
export async function loadBundle(path: string): Promise<LoadedBundle> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new BundleError(
      [{ path: '$', message: `cannot read the bundle: ${(err as Error).message}` }],
      path,
    );
  }
  const input = parseJson(text, path);
  const templateProblems = await inlineTemplateFiles(input, dirname(resolve(path)));
  const result = validateBundle(input);
  const problems = [...templateProblems, ...result.problems];
  if (problems.length > 0 || !result.bundle) throw new BundleError(problems, path);
  return { bundle: result.bundle, warnings: result.warnings };
}

/** Parses bundle JSON; a syntax error is reported with the line and column where the text breaks. */
export function parseJson(text: string, source?: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const where = findJsonSyntaxError(text);
    const message = where
      ? `not valid JSON: ${where.message} at line ${where.line}, column ${where.column}`
      : `not valid JSON: ${(err as Error).message}`;
    throw new BundleError([{ path: '$', message, ...(where ? { line: where.line } : {}) }], source);
  }
}

async function inlineTemplateFiles(input: unknown, baseDir: string): Promise<BundleProblem[]> {
  const problems: BundleProblem[] = [];
  const templates = (input as { templates?: unknown } | null)?.templates;
  if (typeof templates !== 'object' || templates === null || Array.isArray(templates)) return problems;
  const entries = templates as Record<string, unknown>;
  for (const [name, source] of Object.entries(entries)) {
    const file = (source as { file?: unknown } | null)?.file;
    if (typeof file !== 'string') continue;
    try {
      entries[name] = await readFile(resolve(baseDir, file), 'utf8');
    } catch (err) {
      problems.push({
        path: jsonPath(['templates', name, 'file']),
        message: `cannot read template file: ${(err as Error).message}`,
      });
    }
  }
  return problems;
}
