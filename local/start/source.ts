import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig, VersionApi } from '@kubernetes/client-node';

/** Where the local pipeline's Events come from. */
export type EventSource =
  /** The bundled incident, replayed through the fake API server. */
  | { kind: 'incident' }
  /** A file `preview` accepts, replayed through the fake API server. */
  | { kind: 'file'; path: string }
  /** A real cluster that answered: the forwarder watches it (read-only: no checkpoint, no Lease). */
  | { kind: 'cluster'; kubeconfig: string; server: string; version: string };

/** The chosen source, and why a cluster was not used when it was not. */
export interface SourceChoice {
  source: EventSource;
  /** One line for the console, e.g. "no kubeconfig found". */
  reason?: string;
}

/** An explicit `--kubeconfig` whose cluster does not answer: the user asked for that cluster, so we stop. */
export class ClusterUnreachableError extends Error {
  override name = 'ClusterUnreachableError';
}

/** What decides the source; `env` and `home` are injected so tests do not depend on the machine's kubeconfig. */
export interface SourceOptions {
  events?: string;
  kubeconfig?: string;
  /** False with `--no-cluster` (and `--once`): never look for a cluster. */
  cluster: boolean;
  env: NodeJS.ProcessEnv;
  home?: string;
  /** How long a cluster may take to answer `GET /version` (default 3 s). */
  timeoutMs?: number;
}

/**
 * Picks the Event source in the documented order: `--events FILE`; else `--kubeconfig`, `KUBECONFIG` or
 * `~/.kube/config` if its cluster answers within a few seconds; else the bundled incident.
 */
export async function chooseEventSource(options: SourceOptions): Promise<SourceChoice> {
  if (options.events) return { source: { kind: 'file', path: options.events } };
  if (!options.cluster) return { source: { kind: 'incident' }, reason: '--no-cluster or --once' };
  const timeoutMs = options.timeoutMs ?? 3000;
  if (options.kubeconfig) {
    const probe = await probeCluster(options.kubeconfig, timeoutMs);
    if ('error' in probe)
      throw new ClusterUnreachableError(`--kubeconfig ${options.kubeconfig}: ${probe.error}`);
    return { source: { kind: 'cluster', kubeconfig: options.kubeconfig, ...probe } };
  }
  const fromEnv = (options.env.KUBECONFIG ?? '').split(delimiter).find((p) => p && existsSync(p));
  const fallback = join(options.home ?? homedir(), '.kube', 'config');
  const path = fromEnv ?? (existsSync(fallback) ? fallback : undefined);
  if (!path) return { source: { kind: 'incident' }, reason: 'no kubeconfig (KUBECONFIG, ~/.kube/config)' };
  const probe = await probeCluster(path, timeoutMs);
  if ('error' in probe) return { source: { kind: 'incident' }, reason: `${path}: ${probe.error}` };
  return { source: { kind: 'cluster', kubeconfig: path, ...probe } };
}

async function probeCluster(
  path: string,
  timeoutMs: number,
): Promise<{ server: string; version: string } | { error: string }> {
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(path);
  } catch (err) {
    return { error: `cannot read it (${(err as Error).message})` };
  }
  const server = kc.getCurrentCluster()?.server;
  if (!server) return { error: 'its current context names no cluster' };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    const info = await Promise.race([kc.makeApiClient(VersionApi).getCode(), timeout]);
    return { server, version: info.gitVersion };
  } catch (err) {
    return { error: `${server} did not answer (${(err as Error).message})` };
  } finally {
    clearTimeout(timer);
  }
}
