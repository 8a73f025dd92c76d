import { z } from 'zod';
import { parseQueueBody, PoisonMessageError } from '../../contracts/index.ts';
import { jsonPath } from '../bundle/index.ts';
import type { ParkedEvents } from './types.ts';

/**
 * A pile of parked events travelling as one queue message, where it has no event to travel with: back on the events
 * queue, delayed until its receiver's next free slot (its summary failed or met a busy robot after the batch's own
 * events went out), and in the DLQ when it can go nowhere. The function reads it back as that receiver's parked
 * events, so a pile redriven from the DLQ is summarized like any other. Its `failures` (in `pile`) count like an
 * event's.
 */
export interface PileMessage {
  receiver: string;
  pile: ParkedEvents;
}

const count = z.number().int().min(0);
const pileMessageSchema = z.object({
  parked: z.string().min(1),
  tally: z.object({
    total: count,
    warnings: count,
    clusters: z.array(z.string()),
    byReason: z.record(z.string(), count),
    byNamespace: z.record(z.string(), count),
  }),
  mentions: z.object({ users: z.array(z.string()), mobiles: z.array(z.string()), all: z.boolean() }),
  parkings: z.array(z.string()),
  since: z.number(),
  failures: count.optional(),
});

/** The body: `{"parked": receiver, tally, mentions, parkings, since, failures}`, its receiver first. */
export function pileMessageBody({ receiver, pile }: PileMessage): string {
  const { tally, mentions, parkings, since, failures = 0 } = pile;
  return JSON.stringify({ parked: receiver, tally, mentions, parkings, since, failures });
}

/** Whether a queue body is a pile rather than an envelope: every body `pileMessageBody` writes starts so. */
export function isPileMessageBody(body: string): boolean {
  return body.startsWith('{"parked":');
}

/** Reads a pile message; anything malformed is poison, with the JSON path of the first problem. */
export function decodePileMessage(body: string): PileMessage {
  const parsed = pileMessageSchema.safeParse(parseQueueBody(body));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PoisonMessageError(`pile of parked events: ${issue.message}`, jsonPath(issue.path));
  }
  const { parked, failures = 0, ...pile } = parsed.data;
  return { receiver: parked, pile: { ...pile, failures } };
}
