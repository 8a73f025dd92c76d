#!/usr/bin/env node
// Runs the test suites in two lanes: the fast unit lane first, using every core (pure code, no servers), then the
// integration lane (integration, end to end), whose files start servers, child processes and a browser and so
// run fewer at a time. A failing unit lane stops before the slow lane. Node 20's `node --test` neither expands
// globs nor fails when it finds nothing, so we list the files ourselves and refuse to pass an empty suite.
//
// `node scripts/run-tests.mjs [dir…]` runs only those directories (each in its lane by name: tests/unit* is fast).
import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const asked = process.argv.slice(2);
const roots = asked.length > 0 ? asked : ['tests/unit', 'tests/integration', 'tests/e2e'];
const cores = availableParallelism();

function collect(dir) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return collect(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const isUnit = (dir) => /^tests\/unit(\/|$)/.test(dir.replace(/^\.\//, ''));
const lanes = [
  // Unit files are CPU-bound and independent: one per core.
  { name: 'unit', roots: roots.filter(isUnit), concurrency: cores },
  // Integration files each run a few servers and child processes, about two busy processes per file; two files
  // at a time is what the suite was tuned on with 2 cores.
  {
    name: 'integration',
    roots: roots.filter((r) => !isUnit(r)),
    concurrency: Math.max(2, Math.floor(cores / 2)),
  },
];

let ran = 0;
for (const lane of lanes) {
  const files = lane.roots.flatMap((r) => collect(join(root, r))).sort();
  if (files.length === 0) continue;
  ran += files.length;
  console.log(`run-tests: ${lane.name} lane, ${files.length} files, ${lane.concurrency} at a time`);
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      `--test-concurrency=${lane.concurrency}`,
      // A test file whose tests all finished must not hold CI hostage with a leftover timer or socket, and no
      // single test may hang: CI has a hard time limit, and a hang would spend it all.
      '--test-force-exit',
      '--test-timeout=300000',
      ...files.map((f) => relative(root, f)),
    ],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    },
  );
  if (result.status !== 0) process.exit(result.status ?? 1);
}
if (ran === 0) {
  console.error(`run-tests: no *.test.ts files under ${roots.join(', ')}; refusing to pass an empty suite`);
  process.exit(1);
}
