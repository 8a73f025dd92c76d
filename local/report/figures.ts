import type { Bundle } from '../../functions/bundle/index.ts';
import type { Decision } from '../../functions/rules/index.ts';
import type { CollapsedEvent, PlannedMessage } from '../../functions/pipeline/index.ts';
import type { Replay } from './replay.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** One route's share of the replay. */
export interface RouteFigures {
  route: string;
  /** Distinct events (uids) the route matched, notified or not. */
  eventsMatched: number;
  /** (event, receiver) notifications that went out through the route. */
  notifications: number;
  /** Messages that carry at least one of them, per receiver. */
  messages: Record<string, number>;
  /** All those messages, per hour of the replayed span. */
  messagesPerHour: number;
}

/** One robot's messages per minute (a receiver with a pool has one robot per webhook). */
export interface RobotFigures {
  robot: string;
  limitPerMinute: number;
  messages: number;
  busiestMinute: { at: number; messages: number };
  /** Every minute of the span, including empty ones, for charts. */
  perMinute: { at: number; messages: number }[];
}

export interface ReceiverFigures {
  receiver: string;
  notifications: number;
  messages: number;
  messagesPerHour: number;
  limitPerMinute: number;
  /** The receiver's busiest minute, over all its robots. */
  busiestMinute: { at: number; messages: number };
}

/** Everything `report` prints, computed from one replay. */
export interface ReportFigures {
  span: { from: number; to: number; hours: number };
  batches: number;
  /** Totals as the pipeline counts them (`BatchStats`, summed over the replay's invocations). */
  totals: {
    /** Input updates. */
    inputs: number;
    /** Queue records the function read: the inputs and the copies it re-enqueued for receivers that waited. */
    records: number;
    events: number;
    collapsed: number;
    /** Events (after collapsing) that notified someone, each counted once, not again when a copy of it waited. */
    notified: number;
    messages: number;
    sent: number;
    suppressed: { 'no-route': number; repeat: number; silence: number };
    deferred: number;
    deadLettered: number;
  };
  routes: RouteFigures[];
  receivers: ReceiverFigures[];
  robots: RobotFigures[];
  topReasons: Ranked[];
  topNamespaces: Ranked[];
  /** Events no route matched, by the event's reason: what nobody is alerted on. */
  unrouted: Ranked[];
  silenced: { silence: number; comment: string; events: number }[];
  /** Events held back by repeat policies, by the routes that matched them. */
  repeated: Ranked[];
}

export interface Ranked {
  name: string;
  count: number;
}

const TOP = 10;

/** Tallies a replay by route, receiver, robot, reason, namespace and suppression. */
export function reportFigures(bundle: Bundle, replay: Replay): ReportFigures {
  const hours = Math.max(replay.span.to - replay.span.from, MINUTE) / HOUR;
  const totals: ReportFigures['totals'] = {
    inputs: replay.inputs,
    records: 0,
    events: 0,
    collapsed: 0,
    notified: 0,
    messages: 0,
    sent: 0,
    suppressed: { 'no-route': 0, repeat: 0, silence: 0 },
    deferred: 0,
    deadLettered: replay.deadLettered,
  };
  const matched = new Map<string, Set<string>>(bundle.routes.map((route) => [route.name, new Set()]));
  const routeNotifications = new Counter();
  const routeMessages = new Map<string, Counter>();
  const receiverNotifications = new Counter();
  const reasons = new Counter();
  const namespaces = new Counter();
  const unrouted = new Counter();
  const silenced = new Counter();
  const repeated = new Counter();
  const sends: { receiver: string; webhook: number; at: number }[] = [];

  for (const { result } of replay.batches) {
    const { stats } = result;
    for (const key of ['records', 'events', 'collapsed', 'messages', 'sent', 'deferred'] as const)
      totals[key] += stats[key];
    for (const reason of ['no-route', 'repeat', 'silence'] as const)
      totals.suppressed[reason] += stats.suppressed[reason] ?? 0;

    const decisions = new Map<CollapsedEvent, Decision>();
    for (const { collapsed, decision } of result.verdicts) {
      decisions.set(collapsed, decision);
      // A copy re-enqueued for a waiting receiver was counted when it first arrived.
      if (collapsed.owed) continue;
      if (decision.notify) totals.notified++;
      const { event } = collapsed;
      for (const route of decision.routes) matched.get(route)?.add(event.uid);
      const suppression = decision.suppressedBy;
      if (suppression?.reason === 'no-route') unrouted.add(event.reason);
      else if (suppression?.reason === 'silence') silenced.add(String(suppression.silence));
      else if (suppression?.reason === 'repeat') for (const route of decision.routes) repeated.add(route);
      for (const delivery of decision.deliveries) {
        receiverNotifications.add(delivery.receiver);
        for (const route of delivery.routes) routeNotifications.add(route);
        reasons.add(event.reason);
        namespaces.add(event.namespace || '(cluster-scoped)');
      }
    }
    for (const outcome of result.outcomes) {
      if (outcome.status !== 'sent') continue;
      const { planned } = outcome;
      const receiver = planned.message.receiver;
      sends.push({ receiver, webhook: planned.slot?.webhook ?? 0, at: planned.slot?.at ?? 0 });
      for (const route of routesOf(planned, decisions)) {
        let counter = routeMessages.get(route);
        if (!counter) routeMessages.set(route, (counter = new Counter()));
        counter.add(receiver);
      }
    }
  }

  const robots = robotFigures(bundle, sends, replay.span.from);
  return {
    span: { ...replay.span, hours },
    batches: replay.batches.length,
    totals,
    routes: bundle.routes.map((route) => {
      const messages = routeMessages.get(route.name)?.record() ?? {};
      const all = Object.values(messages).reduce((sum, n) => sum + n, 0);
      return {
        route: route.name,
        eventsMatched: matched.get(route.name)!.size,
        notifications: routeNotifications.get(route.name),
        messages,
        messagesPerHour: all / hours,
      };
    }),
    receivers: Object.entries(bundle.receivers).map(([receiver, config]) => {
      const own = sends.filter((send) => send.receiver === receiver);
      return {
        receiver,
        notifications: receiverNotifications.get(receiver),
        messages: own.length,
        messagesPerHour: own.length / hours,
        limitPerMinute: config.maxMessagesPerMinute * (1 + (config.pool?.length ?? 0)),
        busiestMinute: busiest(perMinute(own, replay.span.from)),
      };
    }),
    robots,
    topReasons: reasons.top(TOP),
    topNamespaces: namespaces.top(TOP),
    unrouted: unrouted.top(Number.POSITIVE_INFINITY),
    silenced: silenced.top(Number.POSITIVE_INFINITY).map(({ name, count }) => ({
      silence: Number(name),
      comment: bundle.silences[Number(name)]?.comment ?? '',
      events: count,
    })),
    repeated: repeated.top(Number.POSITIVE_INFINITY),
  };
}

/** The routes whose notifications a message carries (a summary of parked events alone carries none). */
function routesOf(planned: PlannedMessage, decisions: ReadonlyMap<CollapsedEvent, Decision>): Set<string> {
  const routes = new Set<string>();
  for (const event of planned.events) {
    const delivery = decisions.get(event)?.deliveries.find((d) => d.receiver === planned.message.receiver);
    for (const route of delivery?.routes ?? []) routes.add(route);
  }
  return routes;
}

/** One series per robot: a receiver's webhook and each robot of its pool, each with the receiver's limit. */
function robotFigures(
  bundle: Bundle,
  sends: readonly { receiver: string; webhook: number; at: number }[],
  from: number,
): RobotFigures[] {
  return Object.entries(bundle.receivers).flatMap(([receiver, config]) => {
    const webhooks = 1 + (config.pool?.length ?? 0);
    return Array.from({ length: webhooks }, (_, webhook) => {
      const own = sends.filter((send) => send.receiver === receiver && send.webhook === webhook);
      const minutes = perMinute(own, from);
      return {
        robot: webhooks === 1 ? receiver : `${receiver} #${webhook + 1}`,
        limitPerMinute: config.maxMessagesPerMinute,
        messages: own.length,
        busiestMinute: busiest(minutes),
        perMinute: minutes,
      };
    });
  });
}

/** Messages per calendar minute from the span's first minute to the last send. */
function perMinute(sends: readonly { at: number }[], from: number): { at: number; messages: number }[] {
  const first = Math.floor(from / MINUTE);
  const counts: number[] = [];
  for (const { at } of sends) {
    const i = Math.floor(at / MINUTE) - first;
    counts[i] = (counts[i] ?? 0) + 1;
  }
  return Array.from(counts, (count, i) => ({ at: (first + i) * MINUTE, messages: count ?? 0 }));
}

function busiest(minutes: readonly { at: number; messages: number }[]): { at: number; messages: number } {
  return minutes.reduce((best, minute) => (minute.messages > best.messages ? minute : best), {
    at: 0,
    messages: 0,
  });
}

/** Counts by name. */
class Counter {
  private readonly counts = new Map<string, number>();
  add(name: string): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }
  get(name: string): number {
    return this.counts.get(name) ?? 0;
  }
  record(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
  /** The `limit` largest, largest first, ties by name. */
  top(limit: number): Ranked[] {
    return [...this.counts]
      .map(([name, count]) => ({ name, count }))
      .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name))
      .slice(0, limit);
  }
}
