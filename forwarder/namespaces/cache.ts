import type { NamespaceInfo } from '../../contracts/index.ts';
import type { BackoffOptions } from '../backoff/index.ts';
import type { KubeApi, WireObject } from '../kube/index.ts';
import type { Logger } from '../ports.ts';
import { sqsSafeJson } from '../queue/index.ts';
import { ListWatch } from '../watch/index.ts';
import type { RestartReason } from '../watch/index.ts';

/** A namespace's enrichment, and the same as JSON text (serialised once, spliced into every envelope). */
export interface NamespaceEntry {
  info: NamespaceInfo;
  json: string;
}

export interface NamespaceCacheOptions {
  kube: KubeApi;
  logger: Logger;
  backoff: BackoffOptions;
  watchTimeoutSeconds: number;
  onRestart?: (reason: RestartReason) => void;
  onMalformedLine?: () => void;
}

/**
 * Labels and annotations of every Namespace, kept current by a watch, for envelope enrichment (routes match on
 * namespace labels; owners come from annotations).
 */
export class NamespaceCache {
  private readonly namespaces = new Map<string, NamespaceEntry>();
  /** Reads in progress, so a burst of events in a namespace the watch has not shown yet costs one read. */
  private readonly reading = new Map<string, Promise<NamespaceEntry | undefined>>();
  private readonly watch: ListWatch;

  constructor(private readonly options: NamespaceCacheOptions) {
    this.watch = new ListWatch({
      kube: options.kube,
      resource: 'namespaces',
      logger: options.logger,
      backoff: options.backoff,
      watchTimeoutSeconds: options.watchTimeoutSeconds,
      ...(options.onRestart ? { onRestart: options.onRestart } : {}),
      ...(options.onMalformedLine ? { onMalformedLine: options.onMalformedLine } : {}),
      handler: {
        onList: (items) => {
          this.namespaces.clear();
          for (const item of items) this.put(item);
        },
        onEvent: (type, object) => {
          if (type === 'DELETED') this.namespaces.delete(object.metadata?.name ?? '');
          else this.put(object);
        },
        onBookmark: () => {},
      },
    });
  }

  get established(): boolean {
    return this.watch.established;
  }

  /** Starts watching; resolves after the first list, so enrichment is complete from the first event on. */
  start(): Promise<void> {
    return this.watch.start();
  }

  stop(): Promise<void> {
    return this.watch.stop();
  }

  /**
   * The namespace's labels and annotations. A namespace created a moment ago may not have reached the watch yet,
   * so a miss is read directly once; `undefined` for cluster-scoped objects or when the namespace is unknown.
   */
  lookup(name: string): Promise<NamespaceEntry | undefined> {
    if (!name) return Promise.resolve(undefined);
    const cached = this.namespaces.get(name);
    if (cached) return Promise.resolve(cached);
    let read = this.reading.get(name);
    if (!read) {
      read = this.read(name);
      this.reading.set(name, read);
      void read.finally(() => this.reading.delete(name));
    }
    return read;
  }

  private async read(name: string): Promise<NamespaceEntry | undefined> {
    try {
      const object = await this.options.kube.readNamespace(name);
      if (object) return this.put(object);
    } catch (err) {
      this.options.logger.debug(
        { namespace: name, err: String(err) },
        'namespace lookup failed; forwarding without enrichment',
      );
    }
    return undefined;
  }

  /** The cached entry only (no API call), for the hot path when the cache is warm. */
  cached(name: string): NamespaceEntry | undefined {
    return this.namespaces.get(name);
  }

  private put(object: WireObject): NamespaceEntry {
    const info: NamespaceInfo = {
      labels: object.metadata?.labels ?? {},
      annotations: object.metadata?.annotations ?? {},
    };
    const entry = { info, json: sqsSafeJson(JSON.stringify(info)) };
    this.namespaces.set(object.metadata?.name ?? '', entry);
    return entry;
  }
}
