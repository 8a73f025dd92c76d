import type { Occurrence } from '../events/index.ts';
import { statusOf } from '../kube/index.ts';
import type { ConfigMapObject, KubeApi } from '../kube/index.ts';

/** What survives a restart: where to resume the watch, and what was recently delivered (for relist dedup). */
export interface Checkpoint {
  resourceVersion: string;
  /**
   * When the position was observed (ms since the epoch); a relist after expiry forwards events seen after it.
   * NaN from `load` when the ConfigMap's `time` is not a timestamp.
   */
  time: number;
  /** Recently delivered occurrences, so a relist after expiry does not repeat them. */
  delivered: Occurrence[];
}

/** Keeps the checkpoint in a ConfigMap that only the leader writes. */
export class ConfigMapCheckpointStore {
  private lastResourceVersion: string | undefined;

  constructor(
    private readonly kube: KubeApi,
    private readonly namespace: string,
    private readonly name: string,
  ) {}

  async load(): Promise<Checkpoint | undefined> {
    const cm = await this.kube.readConfigMap(this.namespace, this.name);
    this.lastResourceVersion = cm?.metadata?.resourceVersion;
    const data = cm?.data;
    if (!data?.resourceVersion) return undefined;
    return {
      resourceVersion: data.resourceVersion,
      // NaN when the text is no timestamp (an edited ConfigMap); the session reports it and uses a safe time.
      time: Date.parse(data.time ?? ''),
      delivered: parseDelivered(data.delivered),
    };
  }

  /**
   * Writes the checkpoint. A conflict (someone else wrote since our last read) is resolved by re-reading once:
   * only the leader writes, so the other writer was a previous holder of the lease.
   */
  async save(checkpoint: Checkpoint): Promise<void> {
    const data = {
      resourceVersion: checkpoint.resourceVersion,
      time: new Date(checkpoint.time).toISOString(),
      delivered: JSON.stringify(
        checkpoint.delivered.map((o) => [o.uid, o.count, Number.isNaN(o.lastSeen) ? null : o.lastSeen]),
      ),
    };
    const body = (resourceVersion?: string): ConfigMapObject => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: this.name,
        namespace: this.namespace,
        ...(resourceVersion ? { resourceVersion } : {}),
        labels: { 'app.kubernetes.io/name': 'kube-wecom-forwarder' },
      },
      data,
    });
    for (let attempt = 0; ; attempt++) {
      try {
        const written =
          this.lastResourceVersion === undefined
            ? await this.kube.createConfigMap(this.namespace, body())
            : await this.kube.replaceConfigMap(this.namespace, this.name, body(this.lastResourceVersion));
        this.lastResourceVersion = written.metadata?.resourceVersion;
        return;
      } catch (err) {
        const status = statusOf(err);
        if (attempt > 0 || (status !== 409 && status !== 404)) throw err;
        const current = await this.kube.readConfigMap(this.namespace, this.name);
        this.lastResourceVersion = current?.metadata?.resourceVersion;
      }
    }
  }
}

function parseDelivered(text: string | undefined): Occurrence[] {
  if (!text) return [];
  try {
    const rows = JSON.parse(text) as Array<[string, number, number | null]>;
    return rows.map(([uid, count, lastSeen]) => ({ uid, count, lastSeen: lastSeen ?? NaN }));
  } catch {
    return [];
  }
}
