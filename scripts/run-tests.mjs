#!/usr/bin/env node
// Node 20's `node --test` neither expands globs nor fails when it finds nothing, so we list the files
// ourselves and refuse to report success on an empty suite.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const suites = process.argv.slice(2);
const roots = suites.length > 0 ? suites : ['tests/unit', 'tests/integration', 'tests/e2e'];

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

const files = roots.flatMap((r) => collect(join(root, r))).sort();
if (files.length === 0) {
  console.error(`run-tests: no *.test.ts files under ${roots.join(', ')}; refusing to pass an empty suite`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    // A test file whose tests all finished must not hold CI hostage with a leftover timer or socket, and no
    // single test may hang: CI has a hard time limit, and a hang would spend it all.
    '--test-force-exit',
    '--test-timeout=300000',
    ...files.map((f) => relative(root, f)),
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
);
process.exit(result.status ?? 1);
