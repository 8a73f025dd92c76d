import type { ImportReport } from './types.ts';

/** The report for people: per sink what was mapped, what changed meaning, what needs a human; then the secrets. */
export function formatReport(report: ImportReport): string {
  const lines: string[] = [];
  const imported = report.sinks.filter((sink) => sink.status === 'imported').length;
  lines.push(
    `kube-eventer import: ${report.sinks.length} sink(s) read, ${imported} imported, ${report.sinks.length - imported} skipped.`,
  );
  for (const problem of report.inputProblems) lines.push(`! ${problem}`);
  for (const sink of report.sinks) {
    lines.push('', `[${sink.index}] ${sink.redacted}`, `    from: ${sink.source}`);
    if (sink.status === 'skipped') {
      lines.push(`    SKIPPED: ${sink.reason}`);
    } else {
      lines.push(`    → route "${sink.route}", receiver "${sink.receiver}", template ${sink.template}`);
    }
    for (const [title, items] of [
      ['mapped', sink.findings.mapped],
      ['changed meaning', sink.findings.changed],
      ['NEEDS A HUMAN', sink.findings.human],
    ] as const) {
      if (items.length === 0) continue;
      lines.push(`    ${title}:`);
      for (const item of items) lines.push(`      - ${item}`);
    }
    if (sink.templateFindings.length > 0) {
      lines.push('    template:');
      for (const finding of sink.templateFindings) {
        const mark = finding.severity === 'human' ? 'NEEDS A HUMAN' : 'changed';
        lines.push(
          `      - ${finding.configMap} content line ${finding.line}, column ${finding.column} ${finding.action}: ${mark}: ${finding.message}`,
        );
      }
    }
  }
  if (report.general.length > 0) {
    lines.push('', 'For every imported sink:');
    for (const item of report.general) lines.push(`  - ${item}`);
  }
  if (report.secrets.length > 0) {
    lines.push(
      '',
      'Secrets to store (never in the bundle): set each variable in the function’s environment, or switch the receiver to ssm:/…',
    );
    for (const secret of report.secrets) {
      const value = secret.value === '' ? `(the value of ${secret.origin})` : secret.value;
      lines.push(
        `  ${secret.env}=${value}    # receivers: ${secret.receivers.join(', ')}; from ${secret.origin}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
