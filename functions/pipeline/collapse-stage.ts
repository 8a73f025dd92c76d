import type { CollapsedEvent, DecodedRecord } from './types.ts';

/**
 * Stage 2: updates of one event (same uid) in a batch collapse to the latest — the highest count, then the later
 * last-seen time, then the later position — so a storm of count bumps becomes one notice showing the newest
 * count. Every update's occurrence is kept for the repeat policy, and every message id for failure reporting.
 * The receivers owed are the union of the updates': a fresh update (no `owed`) is owed to every receiver.
 */
export function collapseUpdates(decoded: readonly DecodedRecord[]): CollapsedEvent[] {
  const byUid = new Map<string, CollapsedEvent>();
  for (const record of decoded) {
    const { event } = record;
    const occurrence = { watchType: event.watchType, count: event.count };
    const owed = record.envelope.owed ? new Set(record.envelope.owed) : undefined;
    const failures = record.envelope.failures ?? 0;
    const existing = byUid.get(event.uid);
    if (!existing) {
      byUid.set(event.uid, {
        event,
        occurrences: [occurrence],
        messageIds: [record.messageId],
        positions: [record.position],
        envelope: record.envelope,
        owed,
        ...(owed ? { copiedFor: owed } : {}),
        failures,
      });
      continue;
    }
    if (owed) existing.copiedFor = new Set([...(existing.copiedFor ?? []), ...owed]);
    existing.occurrences.push(occurrence);
    existing.messageIds.push(record.messageId);
    existing.positions.push(record.position);
    existing.owed = owed && existing.owed ? new Set([...existing.owed, ...owed]) : undefined;
    existing.failures = Math.max(existing.failures, failures);
    if (isNewer(event, existing.event)) {
      existing.event = event;
      existing.envelope = record.envelope;
    }
  }
  return [...byUid.values()];
}

function isNewer(candidate: DecodedRecord['event'], current: DecodedRecord['event']): boolean {
  if (candidate.count !== current.count) return candidate.count > current.count;
  return time(candidate.lastSeen) >= time(current.lastSeen);
}

function time(iso: string | null): number {
  return iso === null ? Number.NEGATIVE_INFINITY : Date.parse(iso);
}
