import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
// The module, not the package index: the index also loads exec/attach/cp and their websocket and tar code, which
// the bundle would carry (client-node 2 has no `exports` map, so the path is public; the version is pinned).
import { KubeConfig } from '@kubernetes/client-node/dist/config.js';

/** Loads a kubeconfig file, or the in-cluster service account when no path is given. */
export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromCluster();
  return kc;
}

/**
 * Starts one request to the kubeconfig's current cluster. Only `KubeConfig` is taken from client-node: it reads
 * kubeconfig files and the in-cluster service account and applies their credentials (tokens it refreshes, exec
 * plugins, client certificates, the cluster's CA) to each request. Its generated API classes and their model
 * (de)serialisers are most of its code and would be most of the forwarder's memory, for seven plain JSON calls.
 */
export async function startKubeRequest(
  kc: KubeConfig,
  method: string,
  path: string,
  query: Record<string, string>,
  onResponse: (res: IncomingMessage) => void,
): Promise<ClientRequest> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('No currently active cluster');
  const url = new URL(server.replace(/\/+$/, '') + path);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  const options: RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  keepConnectionsAlive(options.agent);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return request(url, { ...options, method }, onResponse);
}

/**
 * client-node keeps one agent per cluster and user, but without keep-alive, so every call (a Lease renewal every
 * 2 s, a checkpoint every 5 s) opened a connection of its own, in a cluster a TLS handshake each: most of what a
 * leader did while no events came. Its plain agents are switched to keep-alive once; proxy agents manage their
 * own connections and are left as they are.
 */
function keepConnectionsAlive(agent: RequestOptions['agent']): void {
  if (!agent || (agent.constructor !== HttpAgent && agent.constructor !== HttpsAgent)) return;
  const plain = agent as HttpAgent & { keepAlive?: boolean; options: { keepAlive?: boolean } };
  plain.keepAlive = true;
  plain.options.keepAlive = true;
}

/** A Kubernetes call the API server refused: its HTTP status in `code` (see `statusOf`) and its Status message. */
export class KubeApiError extends Error {
  override name = 'KubeApiError';

  constructor(
    readonly code: number,
    message: string,
    /** The Status `reason` (`NotFound`, `Conflict`, `Expired`, …), when the server sent one. */
    readonly reason?: string,
  ) {
    super(message);
  }
}

/** The API server answers errors with a `Status` object; a proxy in between may answer with anything. */
export function apiError(method: string, path: string, status: number, text: string): KubeApiError {
  let message = text.slice(0, 500);
  let reason: string | undefined;
  try {
    const parsed = JSON.parse(text) as { kind?: string; message?: string; reason?: string };
    if (parsed.kind === 'Status') [message, reason] = [parsed.message ?? message, parsed.reason];
  } catch {
    // Not JSON: the status and the start of the text say enough.
  }
  return new KubeApiError(status, `${method} ${path}: HTTP ${status}: ${message}`, reason);
}

/** A whole response body as text. */
export function readText(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}
