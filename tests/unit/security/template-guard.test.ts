import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkTemplate, validateBundle } from '../../../functions/bundle/index.ts';
import { compileRenderer } from '../../../functions/render/index.ts';
import { aBundle, anEvent } from '../../helpers/builders.ts';

// Templates are operator-written code (docs/security.md, "Templates are code"). The guard refuses the usual ways
// out of the template data; these tests pin down what it catches and, honestly, what it does not.

function refusal(source: string): string | undefined {
  return checkTemplate(source).find((p) => p.message.startsWith('template code may not'))?.message;
}

describe('template guard', () => {
  it('refuses the Function constructor reached through any object', () => {
    for (const code of [
      "it.constructor.constructor('return 1')()",
      "it.fmt.ago.constructor('return 1')()",
      "it['constructor']['constructor']('return 1')()",
      'it.__proto__',
      'Object.prototype',
      'it.__defineGetter__',
    ]) {
      assert.ok(refusal(`<%= ${code} %>`), code);
    }
  });

  it('refuses this (the Eta instance, whose config would change every later render)', () => {
    assert.match(refusal('<% this.config.autoEscape = false %>') ?? '', /"this"/);
    assert.ok(refusal("<%= this.constructor.constructor('return process')() %>"));
  });

  it('refuses globals that reach the process, modules or the network, however they are spelt', () => {
    for (const code of [
      'global.process',
      'globalThis.process',
      'module.exports',
      'Reflect.get(it, "x")',
      'new Proxy({}, {})',
      "fetch('http://127.0.0.1')",
      'WebAssembly.compile',
      '`${process.pid}`',
    ]) {
      assert.ok(refusal(`<%= ${code} %>`), code);
    }
  });

  it('refuses names spelt with \\u escapes, which the word checks cannot read', () => {
    assert.match(refusal('<% var p = proc\\u0065ss %>') ?? '', /\\u escapes/);
  });

  it('accepts ordinary templates, including bracket access with literal keys and the words in text', () => {
    for (const source of [
      '<%= it.namespaceLabels["app.kubernetes.io/name"] %>',
      "<%= Object.entries(it.group).map(([k, v]) => k + '=' + v).join(' ') %>",
      '<% it.events.forEach((e, i) => { %><%= i %>: <%= e.reason %><% }) %>',
      "<%= it.reason === 'process' ? 'p' : 'other' %>",
      'the process, a constructor and globalThis in plain text: <%= it.message %>',
    ]) {
      assert.deepEqual(checkTemplate(source), [], source);
    }
  });

  it('is a guard against mistakes, not a sandbox: a name built at run time gets through', () => {
    // Documented in docs/security.md: whoever may edit the bundle may run code in the function.
    const source = "<%= typeof it['constr' + 'uctor'] %>";
    assert.deepEqual(checkTemplate(source), []);
    const bundle = validateBundle(
      aBundle({
        receivers: { team: { webhook: 'env:WECOM_TEAM', msgtype: 'text', template: 't' } },
        templates: { t: source },
      }),
    ).bundle!;
    const [message] = compileRenderer(bundle).renderEvent('team', anEvent(), {
      users: [],
      mobiles: [],
      all: false,
    });
    assert.equal((message!.body as { text: { content: string } }).text.content, 'function');
  });

  it('reports the refusal at the template path in validate', () => {
    const result = validateBundle(aBundle({ templates: { t: 'ok\n<%= it.constructor %>' } }));
    assert.equal(result.bundle, undefined);
    assert.ok(
      result.problems.some(
        (p) => p.path === '$.templates.t' && /^line 2: template code may not use/.test(p.message),
      ),
      JSON.stringify(result.problems),
    );
  });
});
