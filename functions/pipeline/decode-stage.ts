import { decodeEnvelope, normalizeEvent, PoisonMessageError } from '../../contracts/index.ts';
import { decodePileMessage, isPileMessageBody } from '../deferral/index.ts';
import type { BatchRecord, DeadLetter, DecodedRecord, PileRecord } from './types.ts';

/**
 * Stage 1: queue bodies → normalized events, and piles of parked events that travel as messages of their own
 * (`functions/deferral/pile-message.ts`). A body that is neither an envelope v1 with a well-formed event nor a
 * well-formed pile is poison: it becomes a dead letter with the reason (JSON path included) and never blocks the
 * rest of the batch.
 */
export function decodeRecords(records: readonly BatchRecord[]): {
  decoded: DecodedRecord[];
  piles: PileRecord[];
  poison: DeadLetter[];
} {
  const decoded: DecodedRecord[] = [];
  const piles: PileRecord[] = [];
  const poison: DeadLetter[] = [];
  records.forEach((record, position) => {
    try {
      if (isPileMessageBody(record.body)) {
        piles.push({ messageId: record.messageId, ...decodePileMessage(record.body) });
        return;
      }
      const envelope = decodeEnvelope(record.body);
      decoded.push({ messageId: record.messageId, position, event: normalizeEvent(envelope), envelope });
    } catch (err) {
      if (!(err instanceof PoisonMessageError)) throw err;
      poison.push({ messageId: record.messageId, reason: `poison message: ${err.message}`, errcode: null });
    }
  });
  return { decoded, piles, poison };
}
