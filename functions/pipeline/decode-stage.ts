import { decodeEnvelope, normalizeEvent, PoisonMessageError } from '../../contracts/index.ts';
import type { BatchRecord, DeadLetter, DecodedRecord } from './types.ts';

/**
 * Stage 1: queue bodies → normalized events. A body that is not an envelope v1 with a well-formed event is
 * poison: it becomes a dead letter with the reason (JSON path included) and never blocks the rest of the batch.
 */
export function decodeRecords(records: readonly BatchRecord[]): {
  decoded: DecodedRecord[];
  poison: DeadLetter[];
} {
  const decoded: DecodedRecord[] = [];
  const poison: DeadLetter[] = [];
  records.forEach((record, position) => {
    try {
      const envelope = decodeEnvelope(record.body);
      decoded.push({ messageId: record.messageId, position, event: normalizeEvent(envelope), envelope });
    } catch (err) {
      if (!(err instanceof PoisonMessageError)) throw err;
      poison.push({ messageId: record.messageId, reason: `poison message: ${err.message}`, errcode: null });
    }
  });
  return { decoded, poison };
}
