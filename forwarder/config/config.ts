import { hostname } from 'node:os';
import { Option } from 'commander';
import { MAX_BATCH_BYTES } from '../queue/index.ts';
import { parseDuration } from './duration.ts';
import { parseSize } from './size.ts';

/** The forwarder's validated configuration. */
export interface ForwarderConfig {
  queueUrl: string;
  clusterName: string;
  /** A kubeconfig path; undefined means the in-cluster service account. */
  kubeconfig: string | undefined;
  namespaces: string[];
  api: 'core' | 'events';
  types: string[];
  maxEventAgeMs: number;
  checkpoint: { namespace: string; name: string } | undefined;
  leaderElection: { namespace: string; name: string; identity: string } | undefined;
  listen: { host: string; port: number };
  bufferMaxEvents: number;
  /** Bound on the buffered message bodies' UTF-8 bytes, so large events cannot exhaust the heap. */
  bufferMaxBytes: number;
  /** How long a partial SendMessageBatch waits for more events (latency against queue requests). */
  lingerMs: number;
  /** SendMessageBatch calls in flight at once; with SQS's round trip, this bounds the rate. */
  sendConcurrency: number;
  logLevel: string;
  graceMs: number;
}

/** A flag or variable with a bad value; the message names both. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const DEFAULT_NAMESPACE = 'kube-wecom';
/**
 * SQS answers a SendMessageBatch in about 5–20 ms from within its region, so the calls in flight bound the rate.
 * Against a 20 ms round trip the bench measured about 1,600 events/s with 4 in flight, 4,300 with 16 and 5,000
 * with 32; each call in flight holds at most one batch (256 KiB).
 */
export const DEFAULT_SEND_CONCURRENCY = 32;
/** Beyond this, more calls in flight only hold more memory: the process's CPU is the bound. */
const MAX_SEND_CONCURRENCY = 64;

/**
 * The forwarder's flags, each mirrored by an environment variable (the flag wins). Shared by `kube-wecom
 * forwarder` and the container entrypoint so both accept exactly the same settings.
 */
export function forwarderOptions(): Option[] {
  return [
    new Option('--queue-url <url>', 'SQS queue URL to send envelopes to (required)').env('QUEUE_URL'),
    new Option('--cluster-name <name>', 'cluster name put in every envelope (required)').env('CLUSTER_NAME'),
    new Option('--kubeconfig <path>', 'kubeconfig file; default: the in-cluster service account').env(
      'KUBECONFIG',
    ),
    new Option('--namespaces <list>', 'comma-separated namespaces to forward events about; default: all').env(
      'NAMESPACES',
    ),
    new Option('--api <api>', 'Event API to watch')
      .choices(['core', 'events'])
      .default('core')
      .env('EVENTS_API'),
    new Option('--types <list>', 'only forward these event types, e.g. Warning (saves queue cost)').env(
      'EVENT_TYPES',
    ),
    new Option(
      '--max-event-age <duration>',
      'on a first start without checkpoint, forward listed events younger than this',
    )
      .default('5m')
      .env('MAX_EVENT_AGE'),
    new Option(
      '--checkpoint-configmap <ns/name>',
      'ConfigMap holding the checkpoint; "" disables checkpointing',
    ).env('CHECKPOINT_CONFIGMAP'),
    new Option(
      '--leader-elect [bool]',
      'elect a leader with a Lease (default: on in cluster, off with --kubeconfig)',
    ).env('LEADER_ELECT'),
    new Option('--lease-name <name>', 'Lease name for leader election')
      .default('kube-wecom-forwarder')
      .env('LEASE_NAME'),
    new Option('--lease-namespace <ns>', 'Lease namespace; default: the pod namespace').env(
      'LEASE_NAMESPACE',
    ),
    new Option('--listen <addr>', 'host:port or :port for /healthz, /readyz and /metrics')
      .default(':8080')
      .env('LISTEN'),
    new Option(
      '--buffer-max-events <n>',
      'events held while SQS is unavailable before the oldest Normal ones are dropped',
    )
      .default('10000')
      .env('BUFFER_MAX_EVENTS'),
    new Option(
      '--buffer-max-bytes <size>',
      'bytes of messages held while SQS is unavailable (e.g. 64Mi) before the oldest Normal ones are dropped',
    )
      .default('64Mi')
      .env('BUFFER_MAX_BYTES'),
    new Option('--linger <duration>', 'how long a partial SQS batch waits for more events before it is sent')
      .default('200ms')
      .env('LINGER'),
    new Option(
      '--send-concurrency <n>',
      `SendMessageBatch calls in flight at once (up to ${MAX_SEND_CONCURRENCY}); each carries up to 10 events`,
    )
      .default(String(DEFAULT_SEND_CONCURRENCY))
      .env('SEND_CONCURRENCY'),
    new Option('--log-level <level>', 'log level')
      .choices(['debug', 'info', 'warn', 'error'])
      .default('info')
      .env('LOG_LEVEL'),
    new Option('--grace-period <duration>', 'time SIGTERM may spend sending buffered events')
      .default('20s')
      .env('GRACE_PERIOD'),
  ];
}

/** The raw values commander collected for {@link forwarderOptions}. */
export interface RawForwarderOptions {
  queueUrl?: string;
  clusterName?: string;
  kubeconfig?: string;
  namespaces?: string;
  api?: string;
  types?: string;
  maxEventAge?: string;
  checkpointConfigmap?: string;
  leaderElect?: string | boolean;
  leaseName?: string;
  leaseNamespace?: string;
  listen?: string;
  bufferMaxEvents?: string;
  bufferMaxBytes?: string;
  linger?: string;
  sendConcurrency?: string;
  logLevel?: string;
  gracePeriod?: string;
}

/** Validates the raw options; `env` supplies the pod's identity and namespace (downward API). */
export function parseForwarderConfig(
  raw: RawForwarderOptions,
  env: NodeJS.ProcessEnv = process.env,
): ForwarderConfig {
  const required = (value: string | undefined, flag: string, variable: string) => {
    if (!value) throw new ConfigError(`${flag} (or ${variable}) is required`);
    return value;
  };
  const podNamespace = env.POD_NAMESPACE || DEFAULT_NAMESPACE;
  const kubeconfig = raw.kubeconfig || undefined;
  const leaderElect = parseBool(raw.leaderElect, kubeconfig === undefined, '--leader-elect');
  return {
    queueUrl: required(raw.queueUrl, '--queue-url', 'QUEUE_URL'),
    clusterName: required(raw.clusterName, '--cluster-name', 'CLUSTER_NAME'),
    kubeconfig,
    namespaces: list(raw.namespaces),
    api: raw.api === 'events' ? 'events' : 'core',
    types: list(raw.types),
    maxEventAgeMs: duration(raw.maxEventAge ?? '5m', '--max-event-age'),
    checkpoint: checkpointRef(raw.checkpointConfigmap ?? `${podNamespace}/kube-wecom-forwarder-checkpoint`),
    leaderElection: leaderElect
      ? {
          namespace: raw.leaseNamespace || podNamespace,
          name: raw.leaseName || 'kube-wecom-forwarder',
          identity: env.POD_NAME || hostname(),
        }
      : undefined,
    listen: parseListen(raw.listen ?? ':8080'),
    bufferMaxEvents: positiveInt(raw.bufferMaxEvents ?? '10000', '--buffer-max-events'),
    bufferMaxBytes: bufferBytes(raw.bufferMaxBytes ?? '64Mi'),
    lingerMs: duration(raw.linger ?? '200ms', '--linger'),
    sendConcurrency: sendConcurrency(raw.sendConcurrency ?? String(DEFAULT_SEND_CONCURRENCY)),
    logLevel: raw.logLevel ?? 'info',
    graceMs: duration(raw.gracePeriod ?? '20s', '--grace-period'),
  };
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function duration(value: string, flag: string): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw new ConfigError(`${flag}: "${value}" is not a duration such as 30s, 5m or 48h`);
  return ms;
}

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${flag}: "${value}" is not a positive integer`);
  return n;
}

function sendConcurrency(value: string): number {
  const n = positiveInt(value, '--send-concurrency');
  if (n > MAX_SEND_CONCURRENCY)
    throw new ConfigError(`--send-concurrency: "${value}" is more than ${MAX_SEND_CONCURRENCY}`);
  return n;
}

function bufferBytes(value: string): number {
  const bytes = parseSize(value);
  if (bytes === undefined)
    throw new ConfigError(`--buffer-max-bytes: "${value}" is not a size such as 64Mi, 512Ki or 1048576`);
  if (bytes < MAX_BATCH_BYTES)
    throw new ConfigError(
      `--buffer-max-bytes: "${value}" is less than one SQS message may be (${MAX_BATCH_BYTES / 1024}Ki)`,
    );
  return bytes;
}

function parseBool(value: string | boolean | undefined, fallback: boolean, flag: string): boolean {
  if (value === undefined) return fallback;
  if (value === true || value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0' || value === false) return false;
  throw new ConfigError(`${flag}: "${String(value)}" is not true or false`);
}

function checkpointRef(value: string): ForwarderConfig['checkpoint'] {
  if (value === '') return undefined;
  const m = /^([a-z0-9-]+)\/([a-z0-9.-]+)$/.exec(value);
  if (!m) throw new ConfigError(`--checkpoint-configmap: "${value}" is not namespace/name`);
  return { namespace: m[1]!, name: m[2]! };
}

/** `host:port` or `:port` (all interfaces). */
export function parseListen(value: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(value);
  const port = Number(m?.[2]);
  if (!m || port > 65535) throw new ConfigError(`--listen: "${value}" is not host:port or :port`);
  return { host: m[1] || '0.0.0.0', port };
}
