import { benchRoute } from './route.ts';
import type { BenchResult } from './measure.ts';

/**
 * `npm run bench [-- --quick] [-- --json]`: every hot path, each a median of several runs, with its ratio to a
 * floor measured in the same process on the same data. `--quick` is the smoke run CI uses.
 */
const quick = process.argv.includes('--quick');
const json = process.argv.includes('--json');

type Bench = (opts: { quick: boolean }) => Promise<BenchResult[]>;
const suites: Array<[string, () => Promise<Bench>]> = [
  ['route', async () => benchRoute],
  ['render', async () => (await import('./render.ts')).benchRender],
  ['handler', async () => (await import('./handler.ts')).benchHandler],
  ['forwarder', async () => (await import('./forwarder.ts')).benchForwarder],
  ['end-to-end', async () => (await import('./end-to-end.ts')).benchEndToEnd],
];

const results: BenchResult[] = [];
for (const [name, load] of suites) {
  const bench = await load();
  if (!json) process.stderr.write(`running ${name}…\n`);
  results.push(...(await bench({ quick })));
}

if (json) {
  process.stdout.write(`${JSON.stringify({ quick, node: process.version, results }, null, 2)}\n`);
} else {
  const rows = results.map((r) => [
    r.case,
    `${r.value.toLocaleString('en-US')} ${r.unit}`,
    r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}× floor`,
    r.target ?? '',
  ]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i]!.length), 4));
  const header = ['case', 'figure', 'vs floor', 'target'];
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  console.log(
    `\nnode ${process.version}, ${quick ? 'quick smoke run' : 'full run'}; medians of several runs.`,
  );
}
