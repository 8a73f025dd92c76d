import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs the CLI exactly as a user would: `node bin/kube-wecom.mjs …` (what `npx kube-wecom` runs). */
function cli(args: string[], input?: string) {
  const result = spawnSync(process.execPath, ['bin/kube-wecom.mjs', ...args], { input, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('kube-wecom CLI', () => {
  it('--help lists the commands', () => {
    const { code, stdout } = cli(['--help']);
    assert.equal(code, 0);
    for (const command of ['validate', 'preview']) assert.match(stdout, new RegExp(`\\b${command}\\b`));
  });

  it('validate prints OK and a summary for a valid bundle', () => {
    const { code, stdout } = cli(['validate', '--config', 'config/example.json']);
    assert.equal(code, 0);
    assert.match(
      stdout,
      /^OK config\/example\.json: 7 routes, 4 receivers, 1 template, 1 silence, timezone Asia\/Shanghai/,
    );
  });

  it('validate prints one "<JSON path>: <message>" line per problem and exits 1', () => {
    const { code, stdout } = cli(['validate', '--config', 'tests/fixtures/bundles/broken.json']);
    assert.equal(code, 1);
    const lines = stdout.trim().split('\n');
    assert.ok(lines.length >= 3);
    for (const line of lines) assert.match(line, /^\$[^ ]*: .+/);
  });

  it('validate --normalized-out writes the bundle as the function loads it: defaults applied, templates inlined', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'kube-wecom-normalized-')), 'bundle.json');
    const { code } = cli(['validate', '--config', 'config/example.json', '--normalized-out', out]);
    assert.equal(code, 0);
    const bundle = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(bundle.receivers['audit-log'].maxMessagesPerMinute, 20);
    assert.equal(bundle.routes[1].repeat, 'exponential');
    assert.match(bundle.templates.oncall, /it\.reason/);
  });

  it('validate rejects a full-body template that does not render valid JSON for a sample event', () => {
    const { code, stdout } = cli(['validate', '--config', 'tests/fixtures/bundles/bad-body-template.json']);
    assert.equal(code, 1);
    assert.match(stdout, /^\$\.receivers\.legacy\.bodyTemplate: .*valid JSON/);
  });

  it('preview fills messages with the exact body to POST', () => {
    const { stdout } = cli([
      'preview',
      '--config',
      'config/dev.json',
      '--events',
      'tests/fixtures/events/core-v1.jsonl',
    ]);
    const first = JSON.parse(stdout.split('\n')[0]!);
    assert.equal(first.messages.length, 3);
    const message = first.messages[0];
    assert.equal(message.receiver, 'release-group');
    assert.equal(message.msgtype, 'markdown');
    assert.equal(message.body.msgtype, 'markdown');
    assert.match(message.body.markdown.content, /BackOff/);
  });

  it('preview --batch prints each message with the input indexes it covers', () => {
    const { code, stdout } = cli([
      'preview',
      '--batch',
      '--config',
      'config/dev.json',
      '--events',
      'tests/fixtures/events/core-v1.jsonl',
    ]);
    assert.equal(code, 0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const payments = lines.find((l) => l.receiver === 'payments-group');
    assert.deepEqual(payments.events, [0, 1], 'the two payments Warnings share one digest');
    const covered = new Set(lines.flatMap((l) => l.events));
    for (const index of covered) assert.ok(Number.isInteger(index) && index >= 0 && index < 12);
  });

  it('preview --batch handles an event nested 20,000 deep as plain preview does, and the events around it', () => {
    const depth = 20_000;
    const event = (name: string, extra = '') =>
      `{"kind":"Event","metadata":{"name":"${name}","namespace":"payments","uid":"uid-${name}"},` +
      `"involvedObject":{"kind":"Pod","name":"p","namespace":"payments"},"reason":"BackOff","type":"Warning",` +
      `"count":1${extra}}`;
    const input = [
      event('a'),
      event('deep', `,"extra":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
      event('c'),
    ].join('\n');
    const args = ['--config', 'config/dev.json', '--events', '-', '--now', '2026-11-27T10:00:00Z'];
    const plain = cli(['preview', ...args], input);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout.trim().split('\n').length, 3);
    const batch = cli(['preview', '--batch', ...args], input);
    assert.equal(batch.code, 0, batch.stderr);
    const covered = batch.stdout
      .trim()
      .split('\n')
      .flatMap((line) => (JSON.parse(line) as { events: number[] }).events);
    assert.deepEqual([...new Set(covered)].sort(), [0, 1, 2]);
  });

  it('preview prints one JSON line per event with the decision', () => {
    const { code, stdout } = cli([
      'preview',
      '--config',
      'config/dev.json',
      '--events',
      'tests/fixtures/events/core-v1.jsonl',
      '--now',
      '2026-11-27T10:10:00Z',
    ]);
    assert.equal(code, 0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 12);
    assert.deepEqual(Object.keys(lines[0]), [
      'index',
      'uid',
      'notify',
      'routes',
      'receivers',
      'suppressedBy',
      'messages',
    ]);
    assert.deepEqual(lines[0].receivers, ['release-group', 'payments-group', 'platform-group']);
    const pulling = lines[2];
    assert.equal(pulling.notify, false);
    assert.equal(pulling.suppressedBy, 'no-route');
    const probe = lines[3];
    assert.deepEqual(probe.routes, ['orders-owners']);
  });

  it('preview reads standard input, e.g. from kubectl', () => {
    const { code, stdout } = cli(
      ['preview', '--config', 'config/dev.json'],
      readFileSync('tests/fixtures/events/kubectl-list.json', 'utf8'),
    );
    assert.equal(code, 0);
    assert.equal(stdout.trim().split('\n').length, 5);
  });

  it('preview names bad lines on stderr, judges the rest, and exits 2', () => {
    const { code, stdout, stderr } = cli([
      'preview',
      '--config',
      'config/dev.json',
      '--events',
      'tests/fixtures/events/bad-lines.jsonl',
    ]);
    assert.equal(code, 2);
    assert.equal(stdout.trim().split('\n').length, 2);
    assert.match(stderr, /bad-lines\.jsonl:2: error/);
    assert.match(stderr, /bad-lines\.jsonl:3: error: \$: not an Event/);
    assert.match(stderr, /bad-lines\.jsonl:5: error: event 1: \$\.event\.count/);
  });

  it('preview refuses an invalid bundle with exit 1', () => {
    const { code, stderr } = cli([
      'preview',
      '--config',
      'tests/fixtures/bundles/broken.json',
      '--events',
      'tests/fixtures/events/core-v1.jsonl',
    ]);
    assert.equal(code, 1);
    assert.match(stderr, /invalid rules bundle/);
  });
});
