import { benchRoute } from './route.ts';
import type { BenchResult } from './measure.ts';

/**
 * `npm run bench [-- --quick] [-- --json] [-- --long] [-- --only <suite>[,<suite>…]]`: every hot path, each a
 * median of several runs, with its ratio to a floor measured in the same process on the same data, or to
 * kube-eventer measured in the same run. `--quick` is the smoke run CI uses; `--long` adds the forwarder's RSS after
 * ten idle minutes; `--only` runs the named suites (route, render, handler, forwarder, end-to-end, real-rates,
 * lambda-cost),
 * e.g. while profiling.
 */
// The SDK's 9-line Node 20 notice says nothing about what is measured; it reads this when a client is built.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const quick = process.argv.includes('--quick');
const json = process.argv.includes('--json');
const long = process.argv.includes('--long');
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt === -1 ? undefined : new Set((process.argv[onlyAt + 1] ?? '').split(','));

type Bench = (opts: { quick: boolean; long: boolean }) => Promise<BenchResult[]>;
const suites: Array<[string, () => Promise<Bench>]> = [
  ['route', async () => benchRoute],
  ['render', async () => (await import('./render.ts')).benchRender],
  ['handler', async () => (await import('./handler.ts')).benchHandler],
  ['forwarder', async () => (await import('./forwarder.ts')).benchForwarder],
  ['end-to-end', async () => (await import('./end-to-end.ts')).benchEndToEnd],
  ['real-rates', async () => (await import('./real-rates.ts')).benchRealRates],
  ['lambda-cost', async () => (await import('./lambda-cost.ts')).benchLambdaCost],
];

if (only) {
  const unknown = [...only].filter((name) => !suites.some(([suite]) => suite === name));
  if (unknown.length > 0) {
    console.error(
      `--only: no suite named ${unknown.join(', ')} (suites: ${suites.map(([s]) => s).join(', ')})`,
    );
    process.exit(2);
  }
}

const results: BenchResult[] = [];
for (const [name, load] of suites) {
  if (only && !only.has(name)) continue;
  const bench = await load();
  if (!json) process.stderr.write(`running ${name}…\n`);
  results.push(...(await bench({ quick, long })));
}

if (json) {
  process.stdout.write(`${JSON.stringify({ quick, node: process.version, results }, null, 2)}\n`);
} else {
  const rows = results.map((r) => [
    r.case,
    `${r.value.toLocaleString('en-US')} ${r.unit}`,
    r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}× ${r.against ?? 'floor'}`,
    r.target ?? '',
  ]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i]!.length), 4));
  const header = ['case', 'figure', 'ratio', 'target'];
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  console.log(
    `\nnode ${process.version}, ${quick ? 'quick smoke run' : 'full run'}; medians of several runs.`,
  );
}
