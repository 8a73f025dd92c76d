import { eventFacts } from '../../contracts/index.ts';
import type { KubeEvent } from '../../contracts/index.ts';
import type { WireObject } from '../kube/index.ts';

/** Why an event was not forwarded; a metric label. */
export type SkipReason = 'deleted' | 'unchanged' | 'too_old' | 'type' | 'namespace';

/** An event's identity and progress, enough to tell a new occurrence from one already handled. */
export interface Occurrence {
  uid: string;
  count: number;
  /** Last-seen time in ms since the epoch (NaN when the event carries none). */
  lastSeen: number;
}

export type Decision =
  | {
      forward: true;
      watchType: 'ADDED' | 'MODIFIED';
      occurrence: Occurrence;
      type: string;
      namespace: string;
    }
  | { forward: false; reason: SkipReason };

export interface SelectorOptions {
  /** Forward only these event types (e.g. `Warning`); empty means all. */
  types: string[];
  /** Forward only events about objects in these namespaces; empty means all. */
  namespaces: string[];
  /**
   * Listed events whose last-seen time is before this (ms) are history, not news: the `--max-event-age` horizon
   * on a first start, or the checkpoint time when a checkpoint expired.
   */
  listCutoff: number;
  /** Occurrences already delivered before a restart (from the checkpoint), so a relist does not repeat them. */
  delivered?: Occurrence[];
}

/**
 * Decides which Events become queue messages. It remembers the last occurrence of every live Event (by uid) so
 * that a relist after `410 Gone` forwards only what changed, and a `MODIFIED` that changed neither count nor
 * last-seen time is skipped.
 */
export class EventSelector {
  private readonly seen = new Map<string, Occurrence>();
  private readonly types: Set<string>;
  private readonly namespaces: Set<string>;

  constructor(private readonly options: SelectorOptions) {
    this.types = new Set(options.types);
    this.namespaces = new Set(options.namespaces);
    for (const o of options.delivered ?? []) this.seen.set(o.uid, o);
  }

  /** Judges one event from a watch. */
  fromWatch(type: 'ADDED' | 'MODIFIED' | 'DELETED', event: WireObject): Decision {
    const facts = factsOf(event);
    if (type === 'DELETED') {
      this.seen.delete(facts.occurrence.uid);
      return { forward: false, reason: 'deleted' };
    }
    if (this.unchanged(facts.occurrence)) return { forward: false, reason: 'unchanged' };
    this.seen.set(facts.occurrence.uid, facts.occurrence);
    return this.filter(type, facts);
  }

  /**
   * Judges a full list (first start, or a relist after `410 Gone`): only occurrences not seen yet and not older
   * than the cutoff are forwarded. Events gone from the list are forgotten, which bounds memory to live Events.
   */
  fromList(events: WireObject[]): Decision[] {
    const live = new Set<string>();
    const decisions = events.map((event): Decision => {
      const facts = factsOf(event);
      const { occurrence } = facts;
      live.add(occurrence.uid);
      const known = this.seen.has(occurrence.uid);
      if (this.unchanged(occurrence)) return { forward: false, reason: 'unchanged' };
      this.seen.set(occurrence.uid, occurrence);
      if (occurrence.lastSeen < this.options.listCutoff) return { forward: false, reason: 'too_old' };
      return this.filter(known ? 'MODIFIED' : 'ADDED', facts);
    });
    for (const uid of this.seen.keys()) if (!live.has(uid)) this.seen.delete(uid);
    return decisions;
  }

  private unchanged(o: Occurrence): boolean {
    const last = this.seen.get(o.uid);
    return last !== undefined && last.count === o.count && sameTime(last.lastSeen, o.lastSeen);
  }

  private filter(watchType: 'ADDED' | 'MODIFIED', facts: Facts): Decision {
    if (this.types.size > 0 && !this.types.has(facts.type)) return { forward: false, reason: 'type' };
    if (this.namespaces.size > 0 && !this.namespaces.has(facts.namespace))
      return { forward: false, reason: 'namespace' };
    return { forward: true, watchType, ...facts };
  }
}

interface Facts {
  occurrence: Occurrence;
  type: string;
  /** The involved object's namespace (`""` when cluster-scoped). */
  namespace: string;
}

/**
 * Reads identity, count, last-seen time, type and namespace with the contract's `eventFacts`, so the forwarder
 * and the function agree on what "count" and "last seen" mean for both Event APIs.
 */
function factsOf(event: WireObject): Facts {
  try {
    const n = eventFacts(event as unknown as KubeEvent);
    return {
      occurrence: { uid: n.uid, count: n.count, lastSeen: n.lastSeen ? Date.parse(n.lastSeen) : NaN },
      type: n.type,
      namespace: n.namespace,
    };
  } catch {
    // A malformed Event is still forwarded: the function judges it and dead-letters it with the reason.
    const meta = event.metadata ?? {};
    return {
      occurrence: { uid: meta.uid ?? `${meta.namespace}/${meta.name}`, count: 0, lastSeen: NaN },
      type: '',
      namespace: meta.namespace ?? '',
    };
  }
}

function sameTime(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}
