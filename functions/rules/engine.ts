import type { NormalizedEvent } from '../../contracts/index.ts';
import { compileAnyMatcher, compileMatcher } from './matcher.ts';
import type { EventPredicate } from './matcher.ts';
import { repeatAllowsAny, repeatClaim, repeatWindowMs } from './repeat.ts';
import type { RepeatClaim } from './repeat.ts';
import { mergeMentions } from './mentions.ts';
import { RouteIndex } from './route-index.ts';
import type { Occurrence } from './repeat.ts';
import { isWecomUserId, mentionsEveryone } from '../channels/wecom/index.ts';
import { MAX_OWNERS_FROM_ANNOTATION } from '../bundle/index.ts';
import type { Bundle, Mentions, RepeatPolicy } from '../bundle/index.ts';

/**
 * Why an event that matched nothing, or matched but was held back, is not delivered; a silence carries its index
 * in the bundle's `silences`, so nothing has to parse it back out of a string.
 */
export type Suppression =
  | { readonly reason: 'no-route' }
  | { readonly reason: 'repeat' }
  | { readonly reason: 'silence'; readonly silence: number };

/** What suppressions are counted by. */
export type SuppressionReason = Suppression['reason'];

// Shared, so a suppressed event allocates no reason of its own.
const NO_ROUTE: Suppression = { reason: 'no-route' };
const REPEAT: Suppression = { reason: 'repeat' };

/** How `preview` prints a suppression: `no-route`, `repeat` or `silence:<index>`. */
export function describeSuppression(suppression: Suppression): string {
  return suppression.reason === 'silence' ? `silence:${suppression.silence}` : suppression.reason;
}

/** The resolved @ list for one delivery (receiver + routes + namespace owners). */
export interface ResolvedMentions {
  users: string[];
  mobiles: string[];
  all: boolean;
}

/** One receiver to tell about one event. */
export interface Delivery {
  receiver: string;
  /** The routes (by name) that reach this receiver for this event. */
  routes: string[];
  mentions: ResolvedMentions;
  /** `group.by` of the first route that reached the receiver; undefined when that route does not group. */
  groupBy: readonly string[] | undefined;
  /**
   * Entries of namespace annotations not mentioned: over `maxFromAnnotation`, not WeCom user ids, or @all without
   * `allowAllFromAnnotation`. Set only when there are some; the handler counts and logs them.
   */
  droppedOwners?: number;
  /**
   * Set when only time-based routes (`repeat.every`) reach the receiver: the delivery goes out only if this
   * invocation wins the claim (the claim stage asks the state table). The first such route's window applies.
   */
  claim?: RepeatClaim | undefined;
}

/** The engine's verdict on one event. */
export interface Decision {
  notify: boolean;
  /** Routes whose match matched and exclude did not, in route order (also when suppressed). */
  routes: string[];
  /** Who is told, in first-reached order; empty when `notify` is false. */
  deliveries: Delivery[];
  suppressedBy: Suppression | null;
}

interface CompiledRoute {
  name: string;
  matches: EventPredicate;
  excludes: EventPredicate | undefined;
  receivers: readonly string[];
  mentions: Mentions | undefined;
  repeat: RepeatPolicy;
  /** `repeat.every` in ms; undefined for a count-based policy. */
  windowMs: number | undefined;
  groupBy: readonly string[] | undefined;
  stop: boolean;
}

interface CompiledSilence {
  matches: EventPredicate;
  startsAt: number;
  endsAt: number;
}

/** A bundle compiled once (regexes, indexes); `evaluate` allocates only its result. */
export interface RulesEngine {
  readonly bundle: Bundle;
  /**
   * Judges one event. `occurrences` are the updates of this event collapsed into it within a batch (default:
   * just the event itself); `now` is the injected clock, used for silences.
   */
  evaluate(event: NormalizedEvent, now: number, occurrences?: readonly Occurrence[]): Decision;
}

/** Compiles a validated bundle. Patterns are assumed valid (validation ran first); an invalid one throws here. */
export function compileRules(bundle: Bundle): RulesEngine {
  const routes: CompiledRoute[] = bundle.routes.map((route) => ({
    name: route.name,
    matches: compileMatcher(route.match ?? {}),
    excludes: compileAnyMatcher(route.exclude),
    receivers: route.receivers,
    mentions: route.mentions,
    repeat: route.repeat,
    windowMs: repeatWindowMs(route.repeat),
    groupBy: route.group?.by,
    stop: route.stop,
  }));
  const silences: CompiledSilence[] = bundle.silences.map((silence) => ({
    matches: compileMatcher(silence.match),
    startsAt: silence.startsAt ? Date.parse(silence.startsAt) : Number.NEGATIVE_INFINITY,
    endsAt: Date.parse(silence.endsAt),
  }));
  const receivers = new Map(Object.entries(bundle.receivers));

  const index = new RouteIndex(bundle.routes.map((route) => route.match));

  function evaluate(event: NormalizedEvent, now: number, occurrences?: readonly Occurrence[]): Decision {
    let seen = occurrences;
    const routeNames: string[] = [];
    let passing: CompiledRoute[] | undefined;
    // Only the routes the index leaves possible are tested, in route order (bit i of word w is route 32w + i).
    const candidates = index.candidates(event);
    scan: for (let w = 0; w < candidates.length; w++) {
      for (let bits = candidates[w]!; bits !== 0;) {
        const lowest = bits & -bits;
        bits ^= lowest;
        const route = routes[w * 32 + 31 - Math.clz32(lowest)]!;
        if (!route.matches(event) || (route.excludes !== undefined && route.excludes(event))) continue;
        routeNames.push(route.name);
        seen ??= [{ watchType: event.watchType, count: event.count }];
        if (repeatAllowsAny(route.repeat, seen)) (passing ??= []).push(route);
        if (route.stop) break scan;
      }
    }
    if (routeNames.length === 0) return suppressed(routeNames, NO_ROUTE);
    if (passing === undefined) return suppressed(routeNames, REPEAT);
    for (let i = 0; i < silences.length; i++) {
      const silence = silences[i]!;
      if (now >= silence.startsAt && now < silence.endsAt && silence.matches(event)) {
        return suppressed(routeNames, { reason: 'silence', silence: i });
      }
    }
    return {
      notify: true,
      routes: routeNames,
      deliveries: deliveriesFor(passing, event, now),
      suppressedBy: null,
    };
  }

  function deliveriesFor(passing: readonly CompiledRoute[], event: NormalizedEvent, now: number): Delivery[] {
    // An event reaches a handful of receivers at most: a list beats a Map per event.
    const deliveries: Delivery[] = [];
    for (const route of passing) {
      for (const name of route.receivers) {
        let delivery = deliveries.find((d) => d.receiver === name);
        if (!delivery) {
          delivery = {
            receiver: name,
            routes: [],
            mentions: { users: [], mobiles: [], all: false },
            groupBy: route.groupBy,
            claim: route.windowMs === undefined ? undefined : repeatClaim(event, name, route.windowMs, now),
          };
          addMentions(delivery, receivers.get(name)?.mentions, event);
          deliveries.push(delivery);
        } else if (route.windowMs === undefined) {
          // A count-based route let the update through to this receiver: no window has to be won.
          delivery.claim = undefined;
        }
        delivery.routes.push(route.name);
        addMentions(delivery, route.mentions, event);
      }
    }
    return deliveries;
  }

  return { bundle, evaluate };
}

function suppressed(routes: string[], reason: Suppression): Decision {
  return { notify: false, routes, deliveries: [], suppressedBy: reason };
}

/**
 * Adds one mention source to a delivery's list, each id once (`mergeMentions` is linear, however many ids an
 * annotation holds). Owners come from the namespace annotation: WeCom user ids only, at most `maxFromAnnotation`
 * of them, and @all only when the source allows it.
 */
function addMentions(into: Delivery, from: Mentions | undefined, event: NormalizedEvent): void {
  if (!from) return;
  mergeMentions(into.mentions, from);
  if (!from.fromNamespaceAnnotation) return;
  const owners = event.namespaceAnnotations[from.fromNamespaceAnnotation];
  if (!owners) return;
  const cap = from.maxFromAnnotation ?? MAX_OWNERS_FROM_ANNOTATION;
  const taken: string[] = [];
  let all = false;
  let dropped = 0;
  for (const owner of owners.split(',')) {
    const user = owner.trim();
    if (!user) continue;
    if (mentionsEveryone(user) && from.allowAllFromAnnotation) all = true;
    else if (!isWecomUserId(user) || taken.length === cap) dropped++;
    else taken.push(user);
  }
  mergeMentions(into.mentions, { users: taken, all });
  if (dropped > 0) into.droppedOwners = (into.droppedOwners ?? 0) + dropped;
}
