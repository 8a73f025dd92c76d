import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import fc from 'fast-check';
import { planBatch } from '../../../functions/pipeline/index.ts';
import type { BatchRecord } from '../../../functions/pipeline/index.ts';
import { compileRenderer, trialRenderTemplates } from '../../../functions/render/index.ts';
import { compileRules } from '../../../functions/rules/index.ts';
import { validateBundle } from '../../../functions/bundle/index.ts';
import { anEnvelope, anEvent, NOW } from '../../helpers/builders.ts';
import { envelopeCorpus } from './rig.ts';

// Rules bundles are edited by people: every mutation of a valid bundle is either refused with JSON paths, or
// accepted and then runs (compile, render, plan a batch) without throwing.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

const root = new URL('../../../', import.meta.url).pathname;

/** A shipped bundle as its author wrote it, with `{ "file": … }` templates read in (as `loadBundle` does). */
function shipped(name: string): Json {
  const file = join(root, 'config', name);
  const bundle = JSON.parse(readFileSync(file, 'utf8')) as { templates?: Record<string, Json> };
  for (const [key, source] of Object.entries(bundle.templates ?? {})) {
    const ref = (source as { file?: string }).file;
    if (ref) bundle.templates![key] = readFileSync(resolve(dirname(file), ref), 'utf8');
  }
  return bundle as Json;
}
const BASES = ['example.json', 'dev.json', 'prod.json'].map(shipped);

/** Values that are wrong somewhere: other types, broken patterns, dangling names, hostile templates. */
const HOSTILE_VALUES: Json[] = [
  null,
  0,
  -1,
  1.5,
  1e9,
  true,
  '',
  'x',
  [],
  {},
  [[[[[]]]]],
  { file: 'templates/missing.eta' },
  '(',
  '[a-',
  '*x',
  'a{2',
  'x)|(.*',
  '(?<n>x)',
  '(a)\\1',
  '\\',
  '.*',
  'env:',
  'env:lower-case',
  'ssm:',
  'ssm:/kube-wecom/dev/webhooks/x',
  'ftp://example.com/?key=abc',
  'http://127.0.0.1:9/cgi-bin/webhook/send?key=abc',
  'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=00000000-0000-0000-0000-000000000000',
  'builtin/markdown',
  'builtin/nope',
  'no-such-receiver',
  'Asia/Nowhere',
  'Warning',
  'text',
  'markdown_v2',
  'news',
  'always',
  'sometimes',
  '2026-11-27T00:00:00Z',
  'not a date',
  '<%= it.reason %>',
  '<%= it.nope.deeper.still %>',
  '<% } %>',
  '<%= it.constructor %>',
  '{"msgtype":"text","text":{"content":"<%= it.message %>"}}',
  '{"msgtype":"text","text":{"content":"<%~ it.message %>"}}',
];

/** Every path in a JSON value, for mutations to pick from. */
function pathsOf(value: Json, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(value)) value.forEach((item, i) => pathsOf(item, [...at, i], out));
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) pathsOf(item, [...at, key], out);
  return out;
}

function get(value: Json, path: Path): Json {
  return path.reduce<Json>((node, key) => (node as Record<string | number, Json>)[key]!, value);
}

type Mutation =
  | { op: 'delete'; at: number }
  | { op: 'set'; at: number; value: Json }
  | { op: 'rename'; at: number; key: string }
  | { op: 'swap'; at: number; other: number }
  | { op: 'duplicate'; at: number };

/** Applies one mutation to a copy of `bundle`; a mutation that does not apply to the chosen node does nothing. */
function mutate(bundle: Json, mutation: Mutation): Json {
  const copy = structuredClone(bundle);
  const paths = pathsOf(copy).filter((p) => p.length > 0);
  const path = paths[mutation.at % paths.length]!;
  const parent = get(copy, path.slice(0, -1)) as Record<string | number, Json>;
  const key = path.at(-1)!;
  switch (mutation.op) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
      break;
    case 'set':
      parent[key] = structuredClone(mutation.value);
      break;
    case 'rename':
      if (!Array.isArray(parent)) {
        const value = parent[key]!;
        delete parent[key];
        parent[mutation.key] = value;
      }
      break;
    case 'swap': {
      const otherPath = paths[mutation.other % paths.length]!;
      const isPrefix = (a: Path, b: Path) => a.length <= b.length && a.every((k, i) => b[i] === k);
      if (isPrefix(path, otherPath) || isPrefix(otherPath, path)) break;
      const otherParent = get(copy, otherPath.slice(0, -1)) as Record<string | number, Json>;
      const otherKey = otherPath.at(-1)!;
      [parent[key], otherParent[otherKey]] = [otherParent[otherKey]!, parent[key]!];
      break;
    }
    case 'duplicate':
      if (Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(parent[key as number]!));
      break;
  }
  return copy;
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('set' as const),
    at: fc.nat(),
    value: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_VALUES) },
      fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
    ),
  }),
  fc.record({
    op: fc.constant('rename' as const),
    at: fc.nat(),
    key: fc.oneof(
      fc.constantFrom('__proto__', 'constructor', 'recievers', 'reciever', 'match ', 'Match'),
      fc.string(),
    ),
  }),
  fc.record({ op: fc.constant('swap' as const), at: fc.nat(), other: fc.nat() }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat() }),
);

/** The batch an accepted bundle must get through: realistic events and the hostile envelope corpus. */
const RECORDS: BatchRecord[] = [
  ...['payments', 'dev-web', 'data', 'kube-system', ''].flatMap((namespace, i) =>
    ['BackOff', 'Unhealthy', 'FailedScheduling', 'OOMKilling', 'NodeNotReady'].map((reason, j) => ({
      messageId: `r-${i}-${j}`,
      body: JSON.stringify(
        anEnvelope({
          namespace,
          reason,
          kind: reason === 'NodeNotReady' ? 'Node' : 'Pod',
          message: `${reason} <@all> [x](http://e) OOM\n# h`,
          labels: { tier: 'prod', team: 'pay' },
          annotations: { 'kube-wecom/owners': 'wang,li' },
          cluster: 'prod-sh',
          count: j + 1,
        }),
      ),
    })),
  ),
  ...envelopeCorpus().map((entry, i) => ({ messageId: `h-${i}`, body: entry.body })),
];

/** What "refused properly" means: problems with JSON paths and one-line messages, never a stack trace. */
function assertProperRefusal(problems: { path: string; message: string }[]): void {
  assert.ok(problems.length > 0);
  for (const problem of problems) {
    assert.match(problem.path, /^\$/);
    assert.ok(problem.message.length > 0);
    assert.doesNotMatch(problem.message, /\n\s+at /, 'no stack trace');
  }
}

/** An accepted bundle must compile and carry a batch to messages whose bodies survive a JSON round trip. */
async function assertRuns(bundle: NonNullable<ReturnType<typeof validateBundle>['bundle']>): Promise<void> {
  const engine = compileRules(bundle);
  const renderer = compileRenderer(bundle, { now: () => NOW });
  for (const name of Object.keys(bundle.receivers)) trialRenderTemplates(bundle, name);
  const { planned, poison } = await planBatch(RECORDS, { engine, renderer }, NOW);
  assert.ok(poison.length > 0, 'the hostile corpus has poison');
  for (const item of planned) {
    const body = item.message.body as Record<string, unknown>;
    assert.deepEqual(JSON.parse(JSON.stringify(body)), body);
    assert.equal(typeof body.msgtype, 'string');
  }
}

describe('hostile rules bundles', () => {
  it('the shipped bundles are accepted and run the batch', async () => {
    for (const base of BASES) {
      const result = validateBundle(structuredClone(base));
      assert.ok(result.bundle, JSON.stringify(result.problems));
      await assertRuns(result.bundle);
    }
  });

  it('every mutation of a shipped bundle is refused with JSON paths, or accepted and runs (property)', async () => {
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...BASES),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        async (base, mutations) => {
          const input = mutations.reduce(mutate, base);
          const result = validateBundle(input);
          if (result.bundle) {
            accepted++;
            await assertRuns(result.bundle);
          } else {
            refused++;
            assertProperRefusal(result.problems);
          }
        },
      ),
      { numRuns: 300 },
    );
    // Both outcomes are exercised, or the property proves little.
    assert.ok(accepted > 20 && refused > 20, `accepted ${accepted}, refused ${refused}`);
  });

  it('refuses a pattern that would escape its anchors (x)|(.*) at its path', () => {
    const bundle = structuredClone(BASES[0]!) as { routes: { match: Record<string, Json> }[] };
    bundle.routes[1]!.match.reasons = ['NodeNotReady', 'x)|(.*'];
    const result = validateBundle(bundle);
    assert.equal(result.bundle, undefined);
    assert.deepEqual(
      result.problems.map((p) => p.path),
      ['$.routes[1].match.reasons[1]'],
    );
  });

  it('accepts repeated group names, each matching as it does alone, and refuses backreferences (not linear-time)', () => {
    const bundle = structuredClone(BASES[1]!) as { routes: { match: Record<string, Json> }[] };
    bundle.routes[0]!.match = { reasons: ['(?<r>Back)Off', '(?<r>Fail)ed', '(a)\\1'] };
    assert.deepEqual(
      validateBundle(bundle).problems.map((problem) => problem.path),
      ['$.routes[0].match.reasons[2]'],
    );
    bundle.routes[0]!.match = { reasons: ['(?<r>Back)Off', '(?<r>Fail)ed'] };
    const result = validateBundle(bundle);
    assert.ok(result.bundle, JSON.stringify(result.problems));
    const engine = compileRules(result.bundle);
    const routeName = result.bundle.routes[0]!.name;
    const routes = (reason: string) => engine.evaluate(anEvent({ reason }), NOW).routes.includes(routeName);
    assert.deepEqual(['BackOff', 'Failed', 'Back'].map(routes), [true, true, false]);
  });
});

describe('kube-wecom validate on mutated files', () => {
  const work = mkdtempSync(join(tmpdir(), 'kube-wecom-hostile-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  it('prints JSON-path lines or OK, and never a stack trace', () => {
    const files: [string, string][] = [
      ['not-json.json', '{"version": 1,,}'],
      ['deep.json', `{"version": 1, "receivers": ${'['.repeat(10_000)}${']'.repeat(10_000)}}`],
      ['deep-broken.json', `{"version": 1, "receivers": ${'['.repeat(10_000)}`],
      ['huge-pattern.json', JSON.stringify({ ...(BASES[1] as object), description: 'x'.repeat(2_000_000) })],
      ['binary.json', '\u0000\u0001\uFFFD\uD800'],
    ];
    const sample = fc.sample(
      fc.tuple(fc.constantFrom(...BASES), fc.array(mutation, { minLength: 1, maxLength: 3 })),
      {
        numRuns: 5,
        seed: 8,
      },
    );
    sample.forEach(([base, mutations], i) =>
      files.push([`mutant-${i}.json`, JSON.stringify(mutations.reduce(mutate, base))]),
    );
    for (const [name, text] of files) {
      const file = join(work, name);
      writeFileSync(file, text);
      const run = spawnSync(process.execPath, ['bin/kube-wecom.mjs', 'validate', '--config', file], {
        cwd: root,
        encoding: 'utf8',
        timeout: 60_000,
      });
      const output = `${run.stdout}${run.stderr}`;
      assert.doesNotMatch(output, /\n\s+at /, `${name}: stack trace:\n${output}`);
      assert.ok(run.status === 0 || run.status === 1, `${name}: exit ${run.status}\n${output}`);
      if (run.status === 1) {
        for (const line of run.stdout.trim().split('\n'))
          assert.match(line, /^\$\S*: .+/, `${name}: ${line}`);
      } else assert.match(run.stdout, /^OK /);
      if (name === 'deep-broken.json') {
        assert.match(
          run.stdout,
          /^\$: not valid JSON: nested more than 1000 levels deep at line 1, column \d+$/m,
        );
      }
    }
  });
});
