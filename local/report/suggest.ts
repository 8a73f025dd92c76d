import type { Bundle, Route } from '../../functions/bundle/index.ts';
import type { EnvelopeV1 } from '../../contracts/index.ts';
import { reportFigures } from './figures.ts';
import type { ReportFigures } from './figures.ts';
import { replayEnvelopes } from './replay.ts';
import type { MappingSettings } from './replay.ts';

/** A change to one route that the replay showed to cut a receiver's messages. */
export interface Suggestion {
  route: string;
  receiver: string;
  /** The change, as it would be written in the route. */
  change: string;
  messagesPerHour: number;
  afterPerHour: number;
  text: string;
}

/** A route is worth tuning when it sends more than this to one receiver, per hour of the span. */
const NOISY_PER_HOUR = 20;
/** A change is suggested only when it cuts at least this share of those messages. */
const WORTH_IT = 0.25;
/** The noisiest routes tried, each with every candidate change: each try is a whole replay. */
const ROUTES_TRIED = 3;

/** The changes tried on a route: coarser digests, then a slower repeat. */
function candidates(route: Route): { change: string; apply: (route: Route) => Route }[] {
  const changes: { change: string; apply: (route: Route) => Route }[] = [];
  const by = route.group?.by;
  if (by === undefined || by.length > 1 || (by.length === 1 && by[0] !== 'namespace'))
    changes.push({
      change: 'group.by: ["namespace"]',
      apply: (r) => ({ ...r, group: { by: ['namespace'] } }),
    });
  if (by === undefined || by.length > 0)
    changes.push({ change: 'group.by: []', apply: (r) => ({ ...r, group: { by: [] } }) });
  if (route.repeat === 'always')
    changes.push({ change: 'repeat: "exponential"', apply: (r) => ({ ...r, repeat: 'exponential' }) });
  if (typeof route.repeat === 'string' && route.repeat !== 'first')
    changes.push({
      change: 'repeat: { "every": "30m" }',
      apply: (r) => ({ ...r, repeat: { every: '30m' } }),
    });
  return changes;
}

/**
 * Replays the input again with one route changed at a time and keeps the changes that cut that route's messages
 * to a receiver by a quarter or more, e.g. "route `warnings` would send 340 messages/hour to `ops`;
 * `group.by: ["namespace"]` brings it to 41". The figures come from real replays, not from estimates.
 */
export async function suggestChanges(
  bundle: Bundle,
  envelopes: readonly EnvelopeV1[],
  figures: ReportFigures,
  mapping?: MappingSettings,
): Promise<Suggestion[]> {
  const noisy = figures.routes
    .flatMap((route) =>
      Object.entries(route.messages).map(([receiver, messages]) => ({
        route: route.route,
        receiver,
        perHour: messages / figures.span.hours,
      })),
    )
    .filter((item) => item.perHour > NOISY_PER_HOUR)
    .sort((a, b) => b.perHour - a.perHour)
    .slice(0, ROUTES_TRIED);
  const suggestions: Suggestion[] = [];
  for (const item of noisy) {
    const index = bundle.routes.findIndex((route) => route.name === item.route);
    let best: Suggestion | undefined;
    for (const { change, apply } of candidates(bundle.routes[index]!)) {
      const routes = bundle.routes.map((route, i) => (i === index ? apply(route) : route));
      const changed: Bundle = { ...bundle, routes };
      const after = reportFigures(changed, await replayEnvelopes(changed, envelopes, mapping));
      const afterPerHour = (after.routes[index]!.messages[item.receiver] ?? 0) / after.span.hours;
      if (afterPerHour > item.perHour * (1 - WORTH_IT)) continue;
      if (best && best.afterPerHour <= afterPerHour) continue;
      best = {
        route: item.route,
        receiver: item.receiver,
        change,
        messagesPerHour: item.perHour,
        afterPerHour,
        text:
          `route \`${item.route}\` would send ${Math.round(item.perHour)} messages/hour to \`${item.receiver}\`; ` +
          `\`${change}\` brings it to ${Math.round(afterPerHour)}`,
      };
    }
    if (best) suggestions.push(best);
  }
  return suggestions;
}
