import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { COMMON_REASONS, parseSinkUri, translateReason } from '../../../cli/import-kube-eventer/index.ts';
import { lexGoTemplate, translatePieces } from '../../../cli/import-kube-eventer/go-template/index.ts';

const translate = (template: string) => translatePieces(lexGoTemplate(template).pieces);

describe('sink URI parsing, as kube-eventer does it', () => {
  it('splits on the first colon only and keeps every occurrence of a repeated key in order', () => {
    const uri = parseSinkUri(
      'webhook:https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K&reason=A&reason=B&level=Warning',
    );
    assert.equal(uri.kind, 'webhook');
    assert.deepEqual(uri.url, {
      protocol: 'https:',
      host: 'qyapi.weixin.qq.com',
      pathname: '/cgi-bin/webhook/send',
    });
    assert.deepEqual(uri.query.get('reason'), ['A', 'B']);
  });

  it('decodes + as a space and %XX, and drops pairs Go drops (semicolons, bad escapes)', () => {
    const uri = parseSinkUri('webhook:https://h/p?a=x+y&b=%5B%5EFailed%5D&c=1;2&d=%zz');
    assert.equal(uri.query.get('a')?.[0], 'x y');
    assert.equal(uri.query.get('b')?.[0], '[^Failed]');
    assert.equal(uri.query.has('c'), false);
    assert.equal(uri.query.has('d'), false);
    assert.equal(uri.droppedPairs.length, 2);
  });

  it('expands environment variables like os.ExpandEnv, leaving a trailing or lone $ alone', () => {
    const uri = parseSinkUri('webhook:https://h/p?key=${ROBOT}&reason=Failed$&x=$HOME', (name) =>
      name === 'HOME' ? '/root' : undefined,
    );
    assert.equal(uri.query.get('reason')?.[0], 'Failed$');
    assert.equal(uri.query.get('x')?.[0], '/root');
    assert.match(uri.query.get('key')![0]!, /env:ROBOT/);
  });

  it('has no host for the documentation placeholders, as kube-eventer refuses them', () => {
    assert.equal(parseSinkUri('webhook:<WEBHOOK_URL>&level=Warning').url, undefined);
  });
});

describe('reason patterns: unanchored Go regexps to anchored kube-wecom patterns', () => {
  const anchored = (pattern: string) => new RegExp(`^(?:${pattern})$`, 's');

  it('matches exactly the common reasons kube-eventer matched, for every translated form', () => {
    for (const source of [
      'Failed',
      'BackOff',
      '^Failed$',
      'OOM|Evicted',
      'Node(Not)?Ready',
      '[^Unhealthy]',
      '(?P<x>Fail)ed',
      '\\AKill',
    ]) {
      const { pattern } = translateReason(source);
      const go = new RegExp(source.replace('(?P<', '(?<').replace('\\A', '^'));
      for (const reason of COMMON_REASONS)
        assert.equal(anchored(pattern!).test(reason), go.test(reason), `${source} on ${reason}`);
    }
  });

  it('explains [^Unhealthy] as a character class and suggests the exclude the user meant', () => {
    const translated = translateReason('[^Unhealthy]');
    assert.equal(translated.probablyMeantExclude, 'Unhealthy');
    assert.match(translated.notes.join(' '), /character class.*of the common reasons: Unhealthy\b/);
  });

  it('never lets an empty reason through, as kube-eventer drops events without a reason', () => {
    assert.equal(anchored(translateReason('.*').pattern!).test(''), false);
    assert.equal(anchored(translateReason('.*').pattern!).test('Anything'), true);
  });

  it('leaves out patterns Go could not compile, which never matched', () => {
    const translated = translateReason('(?!Normal)Failed');
    assert.equal(translated.pattern, undefined);
    assert.match(translated.human.join(' '), /never matched/);
  });
});

describe('Go template to Eta', () => {
  it('maps the documented Event fields to the template data', () => {
    const { eta, issues } = translate(
      '{{ .Type }}|{{ .Reason }}|{{ .InvolvedObject.Namespace }}/{{ .InvolvedObject.Name }}|{{ .Source.Host }}|{{ .Source.Component }}|{{ .Count }}|{{ .ObjectMeta.Name }}|{{ .Name }}|{{ .InvolvedObject.UID }}|{{ .ReportingController }}',
    );
    assert.equal(
      eta,
      "<%= it.type %>|<%= it.reason %>|<%= it.namespace %>/<%= it.name %>|<%= it.host %>|<%= it.component %>|<%= it.count %>|<%= it.eventName %>|<%= it.eventName %>|<%= (it.raw?.involvedObject?.uid ?? '') %>|<%= (it.raw?.reportingComponent ?? '') %>",
    );
    assert.ok(issues.every((issue) => issue.severity === 'changed'));
  });

  it('honours trim markers and drops comments', () => {
    assert.equal(translate('a  {{- .Type -}}  b{{/* note */}}c').eta, 'a<%= it.type %>bc');
  });

  it('translates if/else with eq and a with block that moves the dot', () => {
    assert.equal(
      translate(
        '{{ if eq .Type "Warning" }}W{{ else if .Reason }}R{{ else }}N{{ end }}{{ with .InvolvedObject }}{{ .Kind }}{{ end }}',
      ).eta,
      '<% if ((it.type === "Warning")) { %>W<% } else if (it.reason) { %>R<% } else { %>N<% } %><% if (true) { %><%= it.kind %><% } %>',
    );
  });

  it('reports range, pipelines and functions with their line and column, and emits a best effort', () => {
    const { eta, issues } = translate(
      'x\n  {{ range .Related }}{{ .Name }}{{ end }}{{ .Message | printf "%q" }}{{ len .Message }}',
    );
    assert.equal(eta, 'x\n  <%= it.message %>');
    assert.deepEqual(
      issues
        .filter((issue) => issue.severity === 'human')
        .map((issue) => [issue.at.line, issue.at.column, issue.written]),
      [
        [2, 3, '{{ range .Related }}'],
        [2, 43, '{{ .Message | printf "%q" }}'],
        [2, 71, '{{ len .Message }}'],
      ],
    );
  });

  it('marks a field Go refused, because kube-eventer then sent nothing at all', () => {
    const [issue] = translate('{{ .Severity }}').issues;
    assert.equal(issue?.failedInKubeEventer, true);
  });

  it('reports an unclosed action as a template Go would not parse', () => {
    assert.equal(lexGoTemplate('a {{ .Type').error?.message, 'unclosed action');
  });
});
