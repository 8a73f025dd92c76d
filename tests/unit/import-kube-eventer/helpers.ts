import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readEventInput } from '../../../inputs/index.ts';
import type { InputEvent } from '../../../inputs/index.ts';
import { importKubeEventer, readConfigMaps, readSinkFlags } from '../../../cli/import-kube-eventer/index.ts';
import type { ImportResult, SinkFlag } from '../../../cli/import-kube-eventer/index.ts';

/** The kube-eventer fixture directory. */
export const FIXTURES = new URL('../../fixtures/kube-eventer/', import.meta.url).pathname;

/** A documented or blog sink line. */
export interface SinkFixture {
  id: string;
  source: string;
  value: string;
  configMap?: string;
}

export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

export const sinkFixtures: SinkFixture[] = JSON.parse(fixture('sinks.json')) as SinkFixture[];

/** Imports the given sink lines with every fixture ConfigMap. */
export function importFixtures(sinks: readonly SinkFixture[], cluster?: string): ImportResult {
  const flags: SinkFlag[] = sinks.map((sink) => ({ value: sink.value, source: sink.id }));
  const configMaps = readConfigMaps(fixture('configmaps.yaml'), 'configmaps.yaml').items;
  return importKubeEventer({ sinks: flags, configMaps, ...(cluster ? { cluster } : {}) });
}

/** Imports the fixture Deployment with the fixture ConfigMaps. */
export function importDeployment(): ImportResult {
  const flags = readSinkFlags(fixture('deployment.yaml'), 'deployment.yaml').items;
  const configMaps = readConfigMaps(fixture('configmaps.yaml'), 'configmaps.yaml').items;
  return importKubeEventer({ sinks: flags, configMaps });
}

/** The event corpus, read the way preview reads it. */
export function corpus(cluster = 'prod'): InputEvent[] {
  const read = readEventInput(fixture('events.jsonl'), { cluster, observedAt: '2026-11-27T10:01:00Z' });
  if (read.problems.length > 0) throw new Error(`corpus: ${JSON.stringify(read.problems)}`);
  return read.events;
}
