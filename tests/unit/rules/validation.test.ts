import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundleError, loadBundle, msgtypeOf, validateBundle } from '../../../functions/bundle/index.ts';
import { bundleJsonSchema } from '../../../functions/bundle/json-schema.ts';
import { aBundle } from '../../helpers/builders.ts';

function problemsOf(input: unknown): string[] {
  return validateBundle(input).problems.map((p) => `${p.path}: ${p.message}`);
}

function assertProblem(input: unknown, path: string, fragment: string | RegExp): void {
  const problems = problemsOf(input);
  const hit = problems.find(
    (p) =>
      p.startsWith(`${path}: `) && (typeof fragment === 'string' ? p.includes(fragment) : fragment.test(p)),
  );
  assert.ok(hit, `expected a problem at ${path} matching ${fragment}, got:\n${problems.join('\n')}`);
}

describe('bundle validation', () => {
  it('accepts a minimal bundle and applies defaults', () => {
    const result = validateBundle(aBundle());
    assert.deepEqual(result.problems, []);
    assert.equal(result.bundle?.timezone, 'UTC');
    assert.equal(result.bundle?.receivers.team?.channel, 'wecom');
    assert.equal(msgtypeOf(result.bundle!.receivers.team!), 'markdown');
    assert.equal(result.bundle?.receivers.team?.maxMessagesPerMinute, 20);
    assert.equal(result.bundle?.routes[0]?.repeat, 'exponential');
  });

  it('rejects an invalid regular expression with its path', () => {
    assertProblem(
      aBundle({ routes: [{ name: 'r', match: { reasons: ['ok', '(unclosed'] }, receivers: ['a'] }] }),
      '$.routes[0].match.reasons[1]',
      'invalid regular expression',
    );
  });

  it('refuses backreferences and lookaround, which no linear-time engine can match, saying so at their path', () => {
    const input = aBundle({
      routes: [
        { name: 'r', match: { reasons: ['(a)\\1', '(?=x)x'], messages: ['(?<!a)b'] }, receivers: ['a'] },
      ],
    });
    assertProblem(input, '$.routes[0].match.reasons[0]', /backreferences .* linear time/);
    assertProblem(input, '$.routes[0].match.reasons[1]', /lookaround .* linear time/);
    assertProblem(input, '$.routes[0].match.messages[0]', /lookaround .* linear time/);
  });

  it('accepts a pattern that backtracks catastrophically on V8, since RE2 runs it in linear time', () => {
    const input = aBundle({ routes: [{ name: 'r', match: { reasons: ['(a+)+$'] }, receivers: ['a'] }] });
    assert.deepEqual(problemsOf(input), []);
  });

  it('checks patterns in exclude lists, namespaceLabels and silences', () => {
    const input = aBundle({
      routes: [
        {
          name: 'r',
          exclude: [{ kinds: ['Pod'] }, { names: ['[a-'] }],
          match: { namespaceLabels: { team: '*x' } },
          receivers: ['a'],
        },
      ],
      silences: [{ match: { messages: ['(?<'] }, endsAt: '2026-12-01T00:00:00Z', comment: 'c' }],
    });
    assertProblem(input, '$.routes[0].exclude[1].names[0]', 'invalid regular expression');
    assertProblem(input, '$.routes[0].match.namespaceLabels.team', 'invalid regular expression');
    assertProblem(input, '$.silences[0].match.messages[0]', 'invalid regular expression');
  });

  it('rejects a route naming a missing receiver, suggesting a close name', () => {
    const input = aBundle({
      receivers: { 'payments-group': { webhook: 'env:X' } },
      routes: [{ name: 'r', receivers: ['payment-group'] }],
    });
    input.receivers = { 'payments-group': { webhook: 'env:X' } };
    assertProblem(
      input,
      '$.routes[0].receivers[0]',
      'unknown receiver "payment-group" (did you mean "payments-group"?)',
    );
  });

  it('rejects a receiver naming a missing template', () => {
    assertProblem(
      aBundle({
        receivers: { a: { webhook: 'env:A', template: 'nope' } },
        routes: [{ name: 'r', receivers: ['a'] }],
      }),
      '$.receivers.a.template',
      'unknown template "nope"',
    );
    assertProblem(
      aBundle({
        receivers: { a: { webhook: 'env:A', digestTemplate: 'gone' } },
        routes: [{ name: 'r', receivers: ['a'] }],
      }),
      '$.receivers.a.digestTemplate',
      'unknown template',
    );
  });

  it('accepts built-in template names', () => {
    const input = aBundle({
      receivers: {
        a: { webhook: 'env:A', template: 'builtin/markdown', digestTemplate: 'builtin/markdown-digest' },
      },
      routes: [{ name: 'r', receivers: ['a'] }],
    });
    assert.deepEqual(problemsOf(input), []);
  });

  it('rejects a template that does not compile, with the line inside the template', () => {
    assertProblem(
      aBundle({ templates: { t: 'line one\n<%= it.reason ) %>' } }),
      '$.templates.t',
      'line 2: template does not compile',
    );
    assertProblem(aBundle({ templates: { t: 'ok\nok\n<%= it.x' } }), '$.templates.t', /unclosed tag/);
  });

  it('rejects templates that reach for process, require, import, globalThis, eval or Function', () => {
    for (const word of [
      'process.exit(1)',
      "require('fs')",
      "import('fs')",
      'globalThis.x',
      'eval("1")',
      'Function("x")',
    ]) {
      assertProblem(
        aBundle({ templates: { t: `<%= ${word} %>` } }),
        '$.templates.t',
        'template code may not use',
      );
    }
  });

  it('lets template text (not code) mention those words', () => {
    assert.deepEqual(problemsOf(aBundle({ templates: { t: 'the process <%= it.reason %> "eval"' } })), []);
  });

  it('rejects level together with types', () => {
    assertProblem(
      aBundle({ routes: [{ name: 'r', match: { level: 'Warning', types: ['Warning'] }, receivers: ['a'] }] }),
      '$.routes[0].match.level',
      'not both',
    );
  });

  it('rejects maxMessagesPerMinute above 20', () => {
    assertProblem(
      aBundle({
        receivers: { a: { webhook: 'env:A', maxMessagesPerMinute: 21 } },
        routes: [{ name: 'r', receivers: ['a'] }],
      }),
      '$.receivers.a.maxMessagesPerMinute',
      'at most 20',
    );
  });

  it('rejects maxBytes above the msgtype limit', () => {
    assertProblem(
      aBundle({
        receivers: { a: { webhook: 'env:A', msgtype: 'text', maxBytes: 4096 } },
        routes: [{ name: 'r', receivers: ['a'] }],
      }),
      '$.receivers.a.maxBytes',
      '2048',
    );
  });

  it('accepts env:, ssm: and URL webhook references and rejects others', () => {
    for (const ok of [
      'env:WECOM_KEY',
      'ssm:/kube-wecom/prod/pay',
      'http://127.0.0.1:8080/cgi-bin/webhook/send?key=local',
    ]) {
      const input = aBundle({ receivers: { a: { webhook: ok } }, routes: [{ name: 'r', receivers: ['a'] }] });
      assert.deepEqual(validateBundle(input, { allowedHosts: ['127.0.0.1:8080'] }).problems, [], ok);
    }
    for (const bad of ['env:1BAD', 'ssm:no-slash', 'qyapi.weixin.qq.com/x', 'ftp://host/x']) {
      assertProblem(
        aBundle({ receivers: { a: { webhook: bad } }, routes: [{ name: 'r', receivers: ['a'] }] }),
        '$.receivers.a.webhook',
        /expected|unsupported/,
      );
    }
  });

  it('refuses a literal webhook the function would refuse: a host off the allow-list, a look-alike, no key', () => {
    const cases: Array<[string, RegExp]> = [
      ['http://169.254.169.254/latest/meta-data/?key=x', /is not allowed: only https:\/\/qyapi/],
      ['https://qyapi.weixin.qq.com./cgi-bin/webhook/send?key=693a91f6-7xxx', /is not allowed/],
      ['https://qyapi.weixin.qq.com/cgi-bin/webhook/send?KEY=693a91f6-7xxx', /has no key parameter/],
      ['http://127.0.0.1:8081/cgi-bin/webhook/send?key=local', /is not allowed/],
    ];
    for (const [webhook, message] of cases) {
      const input = aBundle({ receivers: { a: { webhook } }, routes: [{ name: 'r', receivers: ['a'] }] });
      const result = validateBundle(input, { allowedHosts: ['127.0.0.1:8080'] });
      assert.ok(
        result.problems.some((p) => p.path === '$.receivers.a.webhook' && message.test(p.message)),
        `${webhook}: ${JSON.stringify(result.problems)}`,
      );
      assert.ok(
        result.problems.every((p) => !p.message.includes('693a91f6')),
        'the key is not repeated in the problem',
      );
    }
  });

  it('warns about a literal key under any spelling of the parameter', () => {
    const result = validateBundle(
      aBundle({
        receivers: { a: { webhook: 'https://qyapi.weixin.qq.com./cgi-bin/webhook/send?KEY=693a91f6-7xxx' } },
        routes: [{ name: 'r', receivers: ['a'] }],
      }),
    );
    assert.ok(result.warnings.some((w) => w.message.includes('literal WeCom robot key')));
  });

  it('refuses mention user ids the renderer would drop, at their path', () => {
    const input = aBundle({
      receivers: { a: { webhook: 'env:A', mentions: { users: ['zhangsan', '<@all>', 'a b'] } } },
      routes: [{ name: 'r', receivers: ['a'], mentions: { users: ['all'] } }],
    });
    assertProblem(input, '$.receivers.a.mentions.users[1]', /not a WeCom user id.*"all": true/);
    assertProblem(input, '$.receivers.a.mentions.users[2]', 'not a WeCom user id');
    assertProblem(input, '$.routes[0].mentions.users[0]', 'not a WeCom user id');
    assert.equal(problemsOf(input).length, 3);
  });

  it('warns, without failing, about a literal WeCom key in the file', () => {
    const result = validateBundle(
      aBundle({
        receivers: { a: { webhook: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx' } },
        routes: [{ name: 'r', receivers: ['a'] }],
      }),
    );
    assert.deepEqual(result.problems, []);
    assert.ok(
      result.warnings.some(
        (w) => w.path === '$.receivers.a.webhook' && w.message.includes('literal WeCom robot key'),
      ),
    );
  });

  it('rejects unknown fields everywhere, so a typo never disables a filter', () => {
    const input = aBundle({
      routes: [{ name: 'r', receivers: ['a'], match: { reason: ['BackOff'] } as never }],
    });
    assertProblem(input, '$.routes[0].match.reason', 'unknown field');
    assertProblem({ ...aBundle(), routez: [] }, '$.routez', 'unknown field');
    assertProblem(
      aBundle({
        receivers: { a: { webhook: 'env:A', mention: {} } as never },
        routes: [{ name: 'r', receivers: ['a'] }],
      }),
      '$.receivers.a.mention',
      'unknown field',
    );
  });

  it('suggests the field that was meant for a misspelled one, wherever it sits', () => {
    const cases: Array<[unknown, string, string]> = [
      [
        aBundle({ routes: [{ name: 'r', receivers: ['a'], match: { reason: ['BackOff'] } as never }] }),
        '$.routes[0].match.reason',
        'unknown field (did you mean "reasons"?)',
      ],
      [{ ...aBundle(), routez: [] }, '$.routez', 'unknown field (did you mean "routes"?)'],
      [
        aBundle({
          receivers: { a: { webhook: 'env:A', mention: {} } as never },
          routes: [{ name: 'r', receivers: ['a'] }],
        }),
        '$.receivers.a.mention',
        'unknown field (did you mean "mentions"?)',
      ],
      [
        aBundle({ routes: [{ name: 'r', receivers: ['a'], exclude: [{ Kinds: ['Pod'] }] as never }] }),
        '$.routes[0].exclude[0].Kinds',
        'unknown field (did you mean "kinds"?)',
      ],
      [
        aBundle({ templates: { t: { flie: 'x.eta' } as never } }),
        '$.templates.t.flie',
        'unknown field (did you mean "file"?)',
      ],
    ];
    for (const [input, path, message] of cases) {
      assert.ok(
        problemsOf(input).includes(`${path}: ${message}`),
        `${path}:\n${problemsOf(input).join('\n')}`,
      );
    }
  });

  it('suggests nothing when no field is close', () => {
    const input = aBundle({
      routes: [{ name: 'r', receivers: ['a'], group: { by: ['namespace'], id: 1 } as never }],
    });
    assert.ok(problemsOf(input).includes('$.routes[0].group.id: unknown field'));
  });

  it('reports schema type errors with their path', () => {
    assertProblem({ ...aBundle(), version: 2 }, '$.version', /1/);
    assertProblem(
      aBundle({ routes: [{ name: 'r', receivers: 'a' as never }] }),
      '$.routes[0].receivers',
      /array/,
    );
    assertProblem(
      aBundle({ routes: [{ name: 'r', receivers: ['a'], exclude: [{ kinds: 'Pod' }] as never }] }),
      '$.routes[0].exclude[0].kinds',
      /array/,
    );
    assertProblem(
      aBundle({ routes: [{ name: 'r', receivers: ['a'], repeat: 'sometimes' as never }] }),
      '$.routes[0].repeat',
      /always/,
    );
  });

  it('rejects duplicate route names', () => {
    assertProblem(
      aBundle({
        routes: [
          { name: 'r', receivers: ['a'] },
          { name: 'r', receivers: ['a'] },
        ],
      }),
      '$.routes[1].name',
      'duplicate route name',
    );
  });

  it('rejects a silence that ends before it starts, and bad timestamps', () => {
    assertProblem(
      aBundle({
        silences: [
          { match: {}, startsAt: '2026-11-28T00:00:00Z', endsAt: '2026-11-27T00:00:00Z', comment: 'c' },
        ],
      }),
      '$.silences[0].endsAt',
      'after startsAt',
    );
    assertProblem(
      aBundle({ silences: [{ match: {}, endsAt: 'tomorrow', comment: 'c' }] }),
      '$.silences[0].endsAt',
      /datetime/i,
    );
  });

  it('rejects an unknown time zone', () => {
    assertProblem({ ...aBundle(), timezone: 'Asia/Shangai' }, '$.timezone', 'unknown time zone');
  });

  it('rejects a body template together with a content template', () => {
    assertProblem(
      aBundle({
        templates: { b: '{}', c: 'x' },
        receivers: { a: { webhook: 'env:A', bodyTemplate: 'b', template: 'c' } },
        routes: [{ name: 'r', receivers: ['a'] }],
      }),
      '$.receivers.a.bodyTemplate',
      'one or the other',
    );
  });

  it('reports every problem at once', () => {
    const input = aBundle({
      routes: [{ name: 'r', match: { reasons: ['('] }, receivers: ['a', 'missing'] }],
    });
    input.receivers = { a: { webhook: 'env:A', maxMessagesPerMinute: 99 } };
    assert.equal(problemsOf(input).length, 3);
  });

  it('warns about receivers and templates nothing uses', () => {
    const result = validateBundle(
      aBundle({ receivers: { spare: { webhook: 'env:S' } }, templates: { unused: 'x' } }),
    );
    assert.deepEqual(result.warnings.map((w) => w.path).sort(), ['$.receivers.spare', '$.templates.unused']);
  });

  it('quotes odd keys in JSON paths', () => {
    assertProblem(
      aBundle({
        receivers: { 'team a': { webhook: 'env:bad-name' } },
        routes: [{ name: 'r', receivers: ['team a'] }],
      }),
      '$.receivers["team a"].webhook',
      'env:NAME',
    );
  });
});

describe('loading bundle files', () => {
  async function bundleFile(text: string, extra: Record<string, string> = {}): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'kube-wecom-bundle-'));
    for (const [name, content] of Object.entries(extra)) await writeFile(join(dir, name), content);
    const path = join(dir, 'bundle.json');
    await writeFile(path, text);
    return path;
  }

  it('reports a JSON syntax error with its line and column', async () => {
    const path = await bundleFile('{\n  "version": 1,\n  "routes": [,]\n}\n');
    await assert.rejects(loadBundle(path), (err: unknown) => {
      assert.ok(err instanceof BundleError);
      assert.equal(err.problems[0]?.line, 3);
      assert.match(err.problems[0]!.message, /line 3, column 14/);
      return true;
    });
  });

  it('reports a trailing comma at its place', async () => {
    const path = await bundleFile('{"version": 1,\n "receivers": {},\n "routes": [],\n}');
    await assert.rejects(loadBundle(path), /trailing comma before "}" at line 4, column 1/);
  });

  it('resolves template files relative to the bundle', async () => {
    const path = await bundleFile(
      JSON.stringify({
        ...aBundle({ receivers: { team: { webhook: 'env:T', template: 't' } } }),
        templates: { t: { file: 't.eta' } },
      }),
      { 't.eta': '<%= it.reason %>' },
    );
    const { bundle } = await loadBundle(path);
    assert.equal(bundle.templates.t, '<%= it.reason %>');
  });

  it('reports a missing template file at its path', async () => {
    const path = await bundleFile(
      JSON.stringify({ ...aBundle(), templates: { t: { file: 'missing.eta' } } }),
    );
    await assert.rejects(
      loadBundle(path),
      (err: unknown) =>
        err instanceof BundleError && err.problems.some((p) => p.path === '$.templates.t.file'),
    );
  });

  it('the shipped bundles are valid', async () => {
    for (const stage of ['example', 'dev', 'prod', 'local']) {
      const path = `config/${stage}.json`;
      const exists = await readFile(path, 'utf8').then(
        () => true,
        () => false,
      );
      if (!exists) continue;
      await loadBundle(path);
    }
  });

  it('config/schema.json is generated from the current schema', async () => {
    const committed = JSON.parse(await readFile('config/schema.json', 'utf8'));
    assert.deepEqual(committed, bundleJsonSchema(), 'run `npm run schema` to regenerate config/schema.json');
  });
});
