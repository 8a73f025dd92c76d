import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundleError, loadCheckedBundle } from '../../../functions/bundle/index.ts';
import type { Bundle } from '../../../functions/bundle/index.ts';
import { planBatch } from '../../../functions/pipeline/index.ts';
import { compileRenderer, trialRenderTemplates } from '../../../functions/render/index.ts';
import { compileRules } from '../../../functions/rules/index.ts';
import { runPreview } from '../../../cli/preview/run.ts';
import { anEnvelope } from '../../helpers/builders.ts';
import { invokeHandler } from '../hostile/rig.ts';
import { bundle, content, event, mentions, NOW } from './builders.ts';

const STALLS = '<% while (true) {} %>never';
const THROWS = '<%= it.raw.nope.deeper %>';

/** A bundle whose receiver `own` renders with `source`, routed every event. */
function withTemplate(source: string): Bundle {
  return bundle({
    receivers: { own: { webhook: 'env:WECOM_OWN', msgtype: 'markdown', template: 'own' } },
    templates: { own: source },
    routes: [{ name: 'all', receivers: ['own'], repeat: 'always' }],
  });
}

describe('templates cannot stall or fail silently', () => {
  it('a template that never finishes is interrupted, and the built-in renders the event', () => {
    const [message] = compileRenderer(withTemplate(STALLS), { now: () => NOW }).renderEvent(
      'own',
      event(),
      mentions(),
    );
    assert.match(message!.templateError!, /^template "own" failed: did not finish within \d+ ms/);
    assert.equal(message!.failedTemplate, 'own');
    assert.match(content(message!), /\*\*BackOff\*\*/);
  });

  it('a template interrupted once is not run again in the process, so a batch does not pay the limit per event', () => {
    const counting = '<% it.raw.renders = (it.raw.renders ?? 0) + 1; while (true) {} %>never';
    const renderer = compileRenderer(withTemplate(counting), { now: () => NOW });
    const seen = event({ raw: { ...event().raw } });
    const [first] = renderer.renderEvent('own', seen, mentions());
    const [second] = renderer.renderEvent('own', seen, mentions());
    assert.equal((seen.raw as { renders?: number }).renders, 1);
    assert.match(first!.templateError!, /did not finish within \d+ ms$/);
    assert.match(second!.templateError!, /no longer run in this process/);
    assert.match(content(second!), /\*\*BackOff\*\*/);
  });

  it('the trial render refuses a template that stalls or throws on the sample events, naming the field', () => {
    const stalls = trialRenderTemplates(withTemplate(STALLS), 'own');
    assert.deepEqual(
      stalls.map((p) => p.field),
      ['template'],
    );
    assert.match(stalls[0]!.message, /template "own" fails on the sample events: did not finish within/);
    const throws = trialRenderTemplates(
      bundle({
        receivers: { own: { webhook: 'env:X', msgtype: 'text', digestTemplate: 'bad' } },
        templates: { bad: THROWS },
      }),
      'own',
    );
    assert.deepEqual(
      throws.map((p) => p.field),
      ['digestTemplate'],
    );
    assert.match(
      throws[0]!.message,
      /template "bad" fails on the sample events: Cannot read properties of undefined/,
    );
  });

  it('validate (loadCheckedBundle) reports both at their JSON paths', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kube-wecom-templates-'));
    const path = join(dir, 'bundle.json');
    await writeFile(
      path,
      JSON.stringify({
        version: 1,
        receivers: {
          loops: { webhook: 'env:A', template: 'loops' },
          throws: { webhook: 'env:B', template: 'throws' },
        },
        templates: { loops: STALLS, throws: THROWS },
        routes: [{ name: 'r', receivers: ['loops', 'throws'] }],
      }),
    );
    const error = await loadCheckedBundle(path).then(
      () => assert.fail('expected a BundleError'),
      (err: unknown) => err,
    );
    assert.ok(error instanceof BundleError);
    assert.deepEqual(
      error.problems.map((p) => p.path),
      ['$.receivers.loops.template', '$.receivers.throws.template'],
    );
  });

  it('the plan counts each fallback with receiver, template and event uid', async () => {
    const rules = withTemplate(THROWS);
    const records = [{ messageId: 'm1', body: JSON.stringify(anEnvelope({ uid: 'uid-1' })) }];
    const { templateFailures, stats } = await planBatch(
      records,
      { engine: compileRules(rules), renderer: compileRenderer(rules, { now: () => NOW }) },
      NOW,
    );
    assert.equal(stats.templateErrors, 1);
    assert.equal(templateFailures.length, 1);
    assert.deepEqual(
      { ...templateFailures[0], error: undefined },
      { receiver: 'own', template: 'own', eventUids: ['uid-1'], error: undefined },
    );
    assert.match(templateFailures[0]!.error, /deeper/);
  });

  it('the handler logs the failure and publishes the count', async () => {
    const body = JSON.stringify(anEnvelope({ uid: 'uid-1' }));
    const run = await invokeHandler([{ messageId: 'm1', body }], withTemplate(THROWS));
    assert.deepEqual(run.failures, []);
    const logged = run.logs.find((line) => line.level === 'warn' && /template failed/.test(line.message));
    assert.ok(logged, JSON.stringify(run.logs));
    assert.deepEqual((logged.fields as { eventUids: string[] }).eventUids, ['uid-1']);
    assert.equal((logged.fields as { template: string }).template, 'own');
    assert.equal(run.stats.templateErrors, 1);
  });

  it('preview prints the failure on stderr and in the message', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kube-wecom-templates-'));
    const config = join(dir, 'bundle.json');
    // Passes the trial render (the sample events occurred 12 times) but throws on an event seen more often.
    const fragile = '<%= it.count > 100 ? it.nope.deeper : it.reason %>';
    await writeFile(
      config,
      JSON.stringify({
        version: 1,
        receivers: { own: { webhook: 'env:A', template: 'own' } },
        templates: { own: fragile },
        routes: [{ name: 'r', receivers: ['own'], repeat: 'always' }],
      }),
    );
    const envelope = anEnvelope({ count: 500 });
    const events = join(dir, 'events.jsonl');
    await writeFile(events, `${JSON.stringify(envelope)}\n`);
    let stdout = '';
    let stderr = '';
    const code = await runPreview(
      { config, events, cluster: 'c', now: new Date(NOW).toISOString() },
      {
        stdin: (async function* () {})(),
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stderr += text) },
      },
    );
    assert.equal(code, 0, stderr);
    assert.match(stderr, /:1: warning: event 0: receiver own: template "own" failed: /);
    assert.match(stdout, /"templateError":"template \\"own\\" failed: /);
  });
});
