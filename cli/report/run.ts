import { readFile, writeFile } from 'node:fs/promises';
import { readEventInput } from '../../inputs/index.ts';
import { readAll } from '../preview/run.ts';
import { BundleError, formatProblem, loadCheckedBundle } from '../../functions/bundle/index.ts';
import type { Bundle } from '../../functions/bundle/index.ts';
import { reportFigures } from '../../local/report/figures.ts';
import { reportPage } from '../../local/report/html.ts';
import { replayEnvelopes } from '../../local/report/replay.ts';
import { suggestChanges } from '../../local/report/suggest.ts';
import { reportText } from '../../local/report/text.ts';

export interface ReportOptions {
  config: string;
  /** A file path, or `-` for standard input. */
  events: string;
  cluster: string;
  html?: string;
  json?: boolean;
}

interface ReportIo {
  stdin: AsyncIterable<string | Buffer>;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** Runs `report`; returns the exit code: 0, 1 for an unusable bundle, 2 when some input was bad (the rest is replayed). */
export async function runReport(options: ReportOptions, io: ReportIo): Promise<number> {
  let bundle: Bundle;
  try {
    const loaded = await loadCheckedBundle(options.config);
    for (const warning of loaded.warnings) io.stderr.write(`warning: ${formatProblem(warning)}\n`);
    bundle = loaded.bundle;
  } catch (err) {
    if (!(err instanceof BundleError)) throw err;
    io.stderr.write(`${err.message}\n`);
    return 1;
  }
  const text = options.events === '-' ? await readAll(io.stdin) : await readFile(options.events, 'utf8');
  // Inputs without an observation time (plain Events) are placed by their own timestamps; see replayEnvelopes.
  const input = readEventInput(text, { cluster: options.cluster, observedAt: new Date(0).toISOString() });
  let bad = false;
  for (const problem of input.problems) {
    if (problem.severity === 'error') bad = true;
    io.stderr.write(
      `${options.events}:${problem.line}: ${problem.severity}: ${problem.path}: ${problem.message}\n`,
    );
  }
  const envelopes = input.events.map((item) => item.envelope);
  const figures = reportFigures(bundle, await replayEnvelopes(bundle, envelopes));
  const suggestions = await suggestChanges(bundle, envelopes, figures);
  if (options.html) await writeFile(options.html, reportPage(figures, suggestions, bundle.timezone));
  io.stdout.write(
    options.json
      ? `${JSON.stringify({ ...figures, suggestions }, null, 2)}\n`
      : reportText(figures, suggestions),
  );
  return bad || figures.totals.deadLettered > 0 ? 2 : 0;
}
