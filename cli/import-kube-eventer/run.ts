import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { formatProblem, validateBundle } from '../../functions/bundle/index.ts';
import { importKubeEventer } from './import.ts';
import { readConfigMaps, readSinkFlags } from './manifests.ts';
import { formatReport } from './report.ts';
import type { BodyConfigMap, SinkFlag } from './types.ts';

/** The command's options, as commander gives them. */
export interface ImportOptions {
  sink: string[];
  deployment: string[];
  configmap: string[];
  out?: string;
  cluster?: string;
  jsonReport?: boolean;
}

interface Output {
  write(text: string): unknown;
}

/**
 * Runs the import: reads the files, writes the bundle (to `--out`, else stdout) and the report (stdout with
 * `--out`, else stderr, so the bundle can be piped). Returns the exit code: 0, 1 when nothing could be read or
 * the bundle would not validate, 2 for a bad invocation.
 */
export async function runImportKubeEventer(
  options: ImportOptions,
  out: Output,
  err: Output,
): Promise<number> {
  const sinks: SinkFlag[] = options.sink.map((value, i) => ({ value, source: `--sink #${i + 1}` }));
  const configMaps: BodyConfigMap[] = [];
  const inputProblems: string[] = [];
  for (const file of options.deployment) {
    const read = readSinkFlags(await readFile(file, 'utf8'), file);
    sinks.push(...read.items);
    inputProblems.push(...read.problems);
  }
  for (const file of options.configmap) {
    const read = readConfigMaps(await readFile(file, 'utf8'), file);
    configMaps.push(...read.items);
    inputProblems.push(...read.problems);
  }
  if (sinks.length === 0) {
    err.write('import-kube-eventer: no sink given (use --sink or --deployment)\n');
    for (const problem of inputProblems) err.write(`  ${problem}\n`);
    return 2;
  }
  const { bundle, report } = importKubeEventer({
    sinks,
    configMaps,
    ...(options.cluster ? { cluster: options.cluster } : {}),
  });
  report.inputProblems.push(...inputProblems);

  const validation = validateBundle(bundle);
  if (validation.problems.length > 0) {
    // The importer builds only valid bundles; reaching this is a bug, shown rather than written.
    for (const problem of validation.problems)
      err.write(`import-kube-eventer: generated bundle is invalid: ${formatProblem(problem)}\n`);
    return 1;
  }
  const bundleText = `${JSON.stringify(bundle, null, 2)}\n`;
  const reportText = options.jsonReport ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report);
  if (options.out) {
    await mkdir(dirname(options.out), { recursive: true });
    await writeFile(options.out, bundleText);
    out.write(reportText);
    if (!options.jsonReport)
      out.write(`\nWrote ${options.out}. Next: npx kube-wecom validate --config ${options.out}\n`);
  } else {
    out.write(bundleText);
    err.write(reportText);
  }
  return bundle.routes.length > 0 ? 0 : 1;
}
