import type { SQSBatchResponse, SQSHandler } from 'aws-lambda';
import { processBatch } from '../pipeline/index.ts';
import type { BatchResult, DeadLetter, PipelineDeps } from '../pipeline/index.ts';
import type { DeadLetterQueue } from './dead-letter-queue.ts';
import type { Clock, Logger } from '../ports.ts';
import type { BatchMetrics } from './observability.ts';

/** Everything the handler needs, built once per cold start. */
export interface HandlerDeps {
  pipeline: PipelineDeps;
  /** Where dead letters go with their reason; without it they are reported as failures for the redrive policy. */
  deadLetters: DeadLetterQueue | undefined;
  logger: Logger;
  metrics: BatchMetrics;
  clock?: Clock;
  /** Time kept back from the Lambda deadline to report the batch (default 3 s). */
  safetyMarginMs?: number;
  /**
   * The events queue's `maxReceiveCount`. A message still failing on its last receive is dead-lettered by the
   * function with its last failure as the reason, instead of being moved by the redrive policy without one.
   */
  maxReceiveCount?: number;
  /** Sees every batch's result (`npm start`'s page, the drills). */
  observer?: (result: BatchResult) => void;
}

/**
 * The SQS handler: one batch through the pipeline, then a partial batch response. Transient failures are
 * reported in `batchItemFailures` so SQS redelivers exactly those messages; poison and permanently undeliverable
 * messages are moved to the DLQ with the reason (and, if that fails, reported as failures, so the redrive policy
 * still takes them there: nothing is dropped).
 */
export function createHandler(deps: HandlerDeps): SQSHandler {
  const clock = deps.clock ?? Date.now;
  const margin = deps.safetyMarginMs ?? 3000;
  return async (event, context): Promise<SQSBatchResponse> => {
    const now = clock();
    const deadline = now + context.getRemainingTimeInMillis() - margin;
    const records = event.Records.map((record) => ({ messageId: record.messageId, body: record.body }));
    const result = await processBatch(records, deps.pipeline, { now, deadline });
    const receives = new Map(
      event.Records.map((record) => [
        record.messageId,
        Number(record.attributes?.ApproximateReceiveCount ?? 1),
      ]),
    );
    const exhausted =
      deps.deadLetters && deps.maxReceiveCount ? lastReceives(result, receives, deps.maxReceiveCount) : [];
    const retry = new Set(result.retry.filter((id) => !exhausted.some((letter) => letter.messageId === id)));
    const deadLetters = [...result.deadLetters, ...exhausted];

    if (deadLetters.length > 0) {
      const bodies = new Map(event.Records.map((record) => [record.messageId, record.body]));
      for (const letter of deadLetters) {
        deps.logger.error('dead-lettering a queue message', {
          messageId: letter.messageId,
          reason: letter.reason,
          errcode: letter.errcode,
        });
      }
      const unsent = deps.deadLetters
        ? await deps.deadLetters.send(
            deadLetters.map((letter) => ({ ...letter, body: letter.body ?? bodies.get(letter.messageId)! })),
          )
        : deadLetters.map((letter) => letter.messageId);
      for (const messageId of unsent) {
        // Only the batch's own messages can be left to SQS; a pile of parked events has no message to retry.
        if (bodies.has(messageId)) retry.add(messageId);
        else
          deps.logger.error('could not dead-letter parked events; they are only in this log', { messageId });
      }
      if (deps.deadLetters && unsent.length > 0) {
        deps.logger.warn('could not send to the DLQ; leaving the messages to the redrive policy', {
          messageIds: unsent,
        });
      }
    }
    for (const outcome of result.outcomes) {
      if (outcome.status !== 'retry') continue;
      // An outcome on its last receive was dead-lettered above; only what SQS really redelivers is said to be.
      const redelivered = outcome.planned.events.flatMap((e) => e.messageIds).filter((id) => retry.has(id));
      if (redelivered.length === 0) continue;
      deps.logger.warn('delivery failed; SQS will redeliver', {
        receiver: outcome.planned.message.receiver,
        errcode: outcome.errcode,
        reason: outcome.reason,
        attempts: outcome.attempts,
        messageIds: [...new Set(redelivered)],
      });
    }
    for (const deferral of result.deferrals) {
      deps.logger.info('events wait for a free slot', {
        receiver: deferral.receiver,
        parked: deferral.parking?.uids.length ?? 0,
        parking: deferral.parking?.id,
        copied: deferral.copied.length,
        requeued: deferral.requeued.length,
        until: new Date(deferral.until).toISOString(),
        failed: deferral.failed,
      });
    }
    for (const failure of result.templateFailures) {
      deps.logger.warn('template failed; the built-in template was sent instead', { ...failure });
    }
    if (result.stats.ownersDropped > 0) {
      deps.logger.warn(
        'namespace owners left unmentioned: over maxFromAnnotation, not WeCom user ids, or @all',
        {
          ownersDropped: result.stats.ownersDropped,
        },
      );
    }
    deps.logger.info('batch done', { ...result.stats });
    deps.observer?.(result);
    deps.metrics.publish(result.stats);
    return { batchItemFailures: [...retry].map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/**
 * Messages to retry that are on their last receive: SQS would move them to the DLQ next time, dropping the
 * reason, so they become dead letters here with the last transient failure they met.
 */
function lastReceives(
  result: BatchResult,
  receives: Map<string, number>,
  maxReceiveCount: number,
): DeadLetter[] {
  const letters = new Map<string, DeadLetter>();
  for (const outcome of result.outcomes) {
    if (outcome.status !== 'retry') continue;
    for (const event of outcome.planned.events) {
      for (const messageId of event.messageIds) {
        const count = receives.get(messageId) ?? 1;
        if (count < maxReceiveCount || letters.has(messageId)) continue;
        letters.set(messageId, {
          messageId,
          reason: `still failing on receive ${count} of ${maxReceiveCount}: ${outcome.reason}`,
          errcode: outcome.errcode,
        });
      }
    }
  }
  return [...letters.values()];
}
