/** `kube-wecom import-kube-eventer`: kube-eventer sink lines and body ConfigMaps to a rules bundle and a report. */
export { importKubeEventer, redactSink } from './import.ts';
export type { ImportInput, ImportResult } from './import.ts';
export { readConfigMaps, readSinkFlags } from './manifests.ts';
export { formatReport } from './report.ts';
export { parseSinkUri } from './sink-uri.ts';
export type { SinkUri } from './sink-uri.ts';
export { translateReason, COMMON_REASONS } from './reason-pattern.ts';
export { importBody } from './wecom-body.ts';
export type { BodyImport } from './wecom-body.ts';
export { runImportKubeEventer } from './run.ts';
export type { ImportOptions } from './run.ts';
export type * from './types.ts';
