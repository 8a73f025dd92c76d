import { writeFile } from 'node:fs/promises';
import { BundleError, formatProblem } from '../../functions/bundle/index.ts';
import { loadCheckedBundle } from '../../functions/bundle/index.ts';

interface Output {
  write(text: string): unknown;
}

/** Validates a bundle file; returns the exit code (0 valid, 1 invalid). Warnings go to `err` and never fail. */
export async function runValidate(
  path: string,
  out: Output,
  err: Output,
  normalizedOut?: string,
): Promise<number> {
  try {
    const { bundle, warnings } = await loadCheckedBundle(path);
    if (normalizedOut) await writeFile(normalizedOut, `${JSON.stringify(bundle)}\n`);
    for (const warning of warnings) err.write(`warning: ${formatProblem(warning)}\n`);
    const receivers = Object.keys(bundle.receivers).length;
    const templates = Object.keys(bundle.templates).length;
    out.write(
      `OK ${path}: ${bundle.routes.length} route${plural(bundle.routes.length)}, ${receivers} receiver${plural(receivers)}, ` +
        `${templates} template${plural(templates)}, ${bundle.silences.length} silence${plural(bundle.silences.length)}, ` +
        `timezone ${bundle.timezone}\n`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof BundleError)) throw error;
    for (const problem of error.problems) out.write(`${formatProblem(problem)}\n`);
    err.write(`${path}: ${error.problems.length} problem${plural(error.problems.length)}\n`);
    return 1;
  }
}

function plural(n: number): string {
  return n === 1 ? '' : 's';
}
