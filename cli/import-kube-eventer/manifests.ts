import { parseAllDocuments } from 'yaml';
import { unknownEnv } from './sink-uri.ts';
import type { BodyConfigMap, SinkFlag } from './types.ts';

/** What was read from YAML manifests, and what could not be. */
export interface ManifestRead<T> {
  items: T[];
  problems: string[];
}

type Json = Record<string, unknown>;

/**
 * Reads the `--sink` flags of every kube-eventer container in a manifest file (Deployment, DaemonSet, StatefulSet,
 * Pod, or a List of them; multi-document YAML is fine), from `command` and `args` in the order the process sees
 * them. Kubernetes' `$(VAR)` references are expanded from the container's `env`, as the kubelet does.
 */
export function readSinkFlags(text: string, file: string): ManifestRead<SinkFlag> {
  const items: SinkFlag[] = [];
  const problems: string[] = [];
  for (const { doc, where } of documents(text, file, problems)) {
    const spec = podSpec(doc);
    if (!spec) continue;
    const containers = [...list(spec.initContainers), ...list(spec.containers)];
    for (const container of containers) {
      const argv = [...strings(container.command), ...strings(container.args)];
      const env = containerEnv(container);
      const origin = `${where}, container ${String(container.name ?? '?')}`;
      argv.forEach((arg, i) => {
        const value = sinkValue(argv, i);
        if (value === undefined) return;
        items.push({
          value: expandKubernetesRefs(value, env),
          source: `${origin}, argument ${i + 1}`,
          lookupEnv: (name) => env.values.get(name),
          envOrigins: env.origins,
        });
      });
    }
  }
  if (items.length === 0 && problems.length === 0)
    problems.push(`${file}: no container with a --sink flag found`);
  return { items, problems };
}

/** Reads every ConfigMap in a YAML file (multi-document, or a List). */
export function readConfigMaps(text: string, file: string): ManifestRead<BodyConfigMap> {
  const items: BodyConfigMap[] = [];
  const problems: string[] = [];
  for (const { doc, where } of documents(text, file, problems)) {
    if (doc.kind !== 'ConfigMap') continue;
    const meta = isObject(doc.metadata) ? doc.metadata : {};
    const data = isObject(doc.data) ? doc.data : {};
    const content = data.content;
    items.push({
      name: String(meta.name ?? ''),
      namespace: typeof meta.namespace === 'string' ? meta.namespace : undefined,
      content: content === undefined || content === null ? undefined : String(content),
      source: where,
    });
  }
  if (items.length === 0 && problems.length === 0) problems.push(`${file}: no ConfigMap found`);
  return { items, problems };
}

/** `--sink=V`, `-sink=V`, `--sink V`, `-sink V`: the forms Go's flag package accepts. */
function sinkValue(argv: readonly string[], i: number): string | undefined {
  const arg = argv[i]!;
  const inline = /^--?sink=([\s\S]*)$/.exec(arg);
  if (inline) return inline[1];
  if ((arg === '--sink' || arg === '-sink') && i + 1 < argv.length) return argv[i + 1];
  return undefined;
}

function* documents(text: string, file: string, problems: string[]): Generator<{ doc: Json; where: string }> {
  const parsed = parseAllDocuments(text);
  const all = Array.isArray(parsed) ? parsed : [parsed];
  for (const [n, document] of all.entries()) {
    if (document.errors.length > 0) {
      problems.push(
        `${file}: document ${n + 1} is not valid YAML: ${document.errors[0]!.message.split('\n')[0]}`,
      );
      continue;
    }
    const value: unknown = document.toJS();
    if (!isObject(value)) continue;
    const docs = typeof value.kind === 'string' && value.kind.endsWith('List') ? list(value.items) : [value];
    for (const doc of docs) {
      const meta = isObject(doc.metadata) ? doc.metadata : {};
      const name = `${meta.namespace ? `${String(meta.namespace)}/` : ''}${String(meta.name ?? '?')}`;
      yield { doc, where: `${file}: ${String(doc.kind ?? 'object')} ${name}` };
    }
  }
}

function podSpec(doc: Json): Json | undefined {
  if (doc.kind === 'Pod') return isObject(doc.spec) ? doc.spec : undefined;
  const spec = isObject(doc.spec) ? doc.spec : undefined;
  const template = spec && isObject(spec.template) ? spec.template : undefined;
  return template && isObject(template.spec) ? template.spec : undefined;
}

interface ContainerEnv {
  /** Literal values. */
  values: Map<string, string>;
  /** Variables whose value comes from elsewhere (a Secret, a ConfigMap, a field). */
  origins: Map<string, string>;
}

function containerEnv(container: Json): ContainerEnv {
  const values = new Map<string, string>();
  const origins = new Map<string, string>();
  for (const entry of list(container.env)) {
    if (typeof entry.name !== 'string') continue;
    if (entry.value !== undefined) values.set(entry.name, String(entry.value));
    else if (isObject(entry.valueFrom)) origins.set(entry.name, describeValueFrom(entry.valueFrom));
  }
  return { values, origins };
}

function describeValueFrom(from: Json): string {
  for (const [key, kind] of [
    ['secretKeyRef', 'Secret'],
    ['configMapKeyRef', 'ConfigMap'],
  ] as const) {
    const ref = from[key];
    if (isObject(ref)) return `${kind} ${String(ref.name ?? '?')}, key ${String(ref.key ?? '?')}`;
  }
  return 'a field or resource reference';
}

/** The kubelet's `$(VAR)` expansion: defined variables are replaced, `$$` escapes, undefined ones stay as written. */
function expandKubernetesRefs(value: string, env: ContainerEnv): string {
  return value.replace(
    /\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g,
    (whole: string, name: string | undefined) => {
      if (name === undefined) return '$';
      const literal = env.values.get(name);
      if (literal !== undefined) return literal;
      return env.origins.has(name) ? unknownEnv(name) : whole;
    },
  );
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
