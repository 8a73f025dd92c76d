import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { buildProgram } from '../../../cli/program.ts';

/** Runs the CLI exactly as a user would: `node bin/kube-wecom.mjs …` (what `npx kube-wecom` runs). */
function cli(args: string[], input = '') {
  const result = spawnSync(process.execPath, ['bin/kube-wecom.mjs', ...args], { input, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The full `--help` text of a command, including what `addHelpText` appends. */
function helpOf(command: Command): string {
  let text = '';
  command.configureOutput({ writeOut: (chunk) => (text += chunk) });
  command.outputHelp();
  return text;
}

const program = buildProgram();
const DEFAULT_NOTE = /no bundle named, so using config\/local\.json \(the demo rules of npm start\)/;

describe('kube-wecom CLI consistency', () => {
  it('gives the top level and every command at least one example in --help', () => {
    for (const command of [program, ...program.commands]) {
      assert.match(helpOf(command), /\nExamples?[^\n]*:\n {2}\S/, `${command.name()} --help has no example`);
    }
  });

  it('takes the bundle as the first argument or --config in every command that takes one, with one rule', () => {
    const takingBundle = program.commands.filter((c) => c.options.some((o) => o.long === '--config'));
    assert.deepEqual(
      takingBundle.map((c) => c.name()),
      ['validate', 'preview', 'report', 'send-test', 'start'],
    );
    for (const command of takingBundle) {
      assert.deepEqual(
        command.registeredArguments.map((a) => a.name()),
        ['bundle'],
      );
      assert.match(
        helpOf(command),
        /With neither, config\/local\.json \(the demo rules of\nnpm start\) is used/,
      );
    }
  });

  it('prints the version of package.json with --version', () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const { code, stdout } = cli(['--version']);
    assert.equal(code, 0);
    assert.equal(stdout, `${version}\n`);
  });

  it('validate accepts the bundle as an argument', () => {
    const { code, stdout, stderr } = cli(['validate', 'config/prod.json']);
    assert.equal(code, 0);
    assert.match(stdout, /^OK config\/prod\.json: /);
    assert.doesNotMatch(stderr, DEFAULT_NOTE);
  });

  it('validate without a bundle says which file it checked instead', () => {
    const { code, stdout, stderr } = cli(['validate']);
    assert.equal(code, 0);
    assert.match(stderr, DEFAULT_NOTE);
    assert.match(stdout, /^OK config\/local\.json: /);
  });

  it('refuses two different bundles rather than picking one', () => {
    const { code, stdout, stderr } = cli(['validate', 'config/prod.json', '--config', 'config/dev.json']);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(stderr, /two bundles named: "config\/prod\.json" and --config "config\/dev\.json"/);
  });

  it('preview accepts the bundle as an argument and reads events from standard input', () => {
    const events = readFileSync('tests/fixtures/events/core-v1.jsonl', 'utf8');
    const { code, stdout } = cli(['preview', 'config/dev.json'], events);
    assert.equal(code, 0);
    assert.equal(JSON.parse(stdout.split('\n')[0]!).messages[0].receiver, 'release-group');
  });

  it('send-test and start load the bundle named as an argument', () => {
    const sendTest = cli(['send-test', 'config/dev.json', '--receiver', 'nobody']);
    assert.equal(sendTest.code, 1);
    assert.match(sendTest.stderr, /no receiver "nobody" in config\/dev\.json/);

    const start = cli(['start', 'tests/fixtures/bundles/broken.json', '--once']);
    assert.equal(start.code, 1);
    assert.match(start.stderr, /^kube-wecom start: .*broken\.json/);
  });
});
