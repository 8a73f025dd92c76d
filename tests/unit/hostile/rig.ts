import { grantAll } from '../../helpers/budget.ts';
import { readFileSync } from 'node:fs';
import type { SQSBatchResponse } from 'aws-lambda';
import { createHandler } from '../../../functions/lambda/index.ts';
import type { DeadLetterEntry } from '../../../functions/lambda/index.ts';
import type { Logger } from '../../../functions/ports.ts';
import type { BatchRecord, BatchStats } from '../../../functions/pipeline/index.ts';
import { compileRenderer } from '../../../functions/render/index.ts';
import type { RenderedMessage } from '../../../functions/render/index.ts';
import { compileRules } from '../../../functions/rules/index.ts';
import { validateBundle } from '../../../functions/bundle/index.ts';
import type { Bundle } from '../../../functions/bundle/index.ts';
import { createLambdaContext, toSqsRecord } from '../../../local/index.ts';
import { NOW } from '../../helpers/builders.ts';

/** One entry of `tests/fixtures/hostile/envelopes.jsonl`. */
export interface CorpusEntry {
  name: string;
  /** The SQS body as the function receives it. */
  body: string;
  /** The JSON path the dead-letter reason must name, or null when the message must be delivered. */
  poison: string | null;
}

/**
 * The hostile envelope corpus. `UID` in a body becomes a uid unique to the entry, so no two entries collapse into
 * one notice; bytes given in base64 are decoded as the Lambda runtime decodes a body (bad bytes become U+FFFD).
 */
export function envelopeCorpus(): CorpusEntry[] {
  const file = new URL('../../fixtures/hostile/envelopes.jsonl', import.meta.url);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line, i) => {
      const raw = JSON.parse(line) as {
        name: string;
        body?: string;
        bodyBase64?: string;
        poison: string | null;
      };
      const body = raw.body ?? Buffer.from(raw.bodyBase64!, 'base64').toString('utf8');
      return { name: raw.name, body: body.replaceAll('"UID"', `"corpus-${i}"`), poison: raw.poison };
    });
}

/**
 * Every event goes, always, to a text robot whose template starts with the event's uid (so a test can tell which
 * event a message is about), and to a markdown robot with the built-in digest per namespace.
 */
export const HOSTILE_BUNDLE: Bundle = (() => {
  const result = validateBundle({
    version: 1,
    receivers: {
      audit: { webhook: 'env:WECOM_AUDIT', msgtype: 'text', template: 'by-uid' },
      digest: { webhook: 'env:WECOM_DIGEST', msgtype: 'markdown' },
    },
    templates: { 'by-uid': '<%= it.uid %>\n<%= it.reason %>: <%= it.message %>' },
    routes: [
      { name: 'everything', receivers: ['audit'], repeat: 'always' },
      { name: 'digests', receivers: ['digest'], repeat: 'always', group: { by: ['namespace'] } },
    ],
  });
  if (!result.bundle) throw new Error(JSON.stringify(result.problems));
  return result.bundle;
})();

/** What one invocation did, as the outside world sees it. */
export interface Invocation {
  failures: string[];
  sent: RenderedMessage[];
  deadLetters: DeadLetterEntry[];
  stats: BatchStats;
  logs: { level: string; message: string; fields: unknown }[];
}

/**
 * Invokes the real handler (rules engine, renderer, budget, report) once with the given bodies. The sender records
 * every message after checking that its body survives a JSON round trip, as the WeCom client would serialize it.
 */
export async function invokeHandler(
  records: readonly BatchRecord[],
  bundle = HOSTILE_BUNDLE,
): Promise<Invocation> {
  const sent: RenderedMessage[] = [];
  const deadLetters: DeadLetterEntry[] = [];
  const logs: Invocation['logs'] = [];
  const published: BatchStats[] = [];
  const log =
    (level: string): Logger['info'] =>
    (message, fields) =>
      void logs.push({ level, message, fields });
  const handler = createHandler({
    pipeline: {
      engine: compileRules(bundle),
      renderer: compileRenderer(bundle, { now: () => NOW }),
      sender: {
        reserve: grantAll,
        async send(message) {
          JSON.parse(JSON.stringify(message.body));
          sent.push(message);
          return { attempts: 1 };
        },
      },
    },
    deadLetters: {
      async send(entries) {
        deadLetters.push(...entries);
        return [];
      },
    },
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    metrics: { publish: (stats) => void published.push(stats) },
    clock: () => NOW,
  });
  const source = { eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:events', awsRegion: 'us-east-1' };
  const context = createLambdaContext({
    functionName: 'events',
    awsRegion: 'us-east-1',
    memoryLimitInMB: 512,
    timeoutMs: 30_000,
    now: () => NOW,
  });
  const event = {
    Records: records.map((r) =>
      toSqsRecord({ MessageId: r.messageId, ReceiptHandle: `rh-${r.messageId}`, Body: r.body }, source),
    ),
  };
  const response = (await handler(event, context, () => undefined)) as SQSBatchResponse;
  return {
    failures: response.batchItemFailures.map((f) => f.itemIdentifier),
    sent,
    deadLetters,
    stats: published[0]!,
    logs,
  };
}

/** The uid a text message of the `audit` robot is about (its first line). */
export function auditedUids(sent: readonly RenderedMessage[]): Set<string> {
  return new Set(
    sent
      .filter((m) => m.receiver === 'audit')
      .map((m) => (m.body as { text: { content: string } }).text.content.split('\n')[0]!),
  );
}
