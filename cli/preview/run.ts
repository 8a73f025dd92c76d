import { readFile } from 'node:fs/promises';
import { normalizeEvent, PoisonMessageError } from '../../contracts/index.ts';
import { queueBody, readEventInput } from '../../inputs/index.ts';
import type { InputEvent } from '../../inputs/index.ts';
import { inMemoryClaims, planBatch, withWonClaims } from '../../functions/pipeline/index.ts';
import { compileRenderer } from '../../functions/render/index.ts';
import type { RenderedMessage, Renderer } from '../../functions/render/index.ts';
import { compileRules, describeSuppression } from '../../functions/rules/index.ts';
import { BundleError, formatProblem } from '../../functions/bundle/index.ts';
import type { RulesEngine } from '../../functions/rules/index.ts';
import type { RepeatClaims } from '../../functions/pipeline/index.ts';
import { loadCheckedBundle } from '../../functions/bundle/index.ts';

export interface PreviewOptions {
  config: string;
  /** A file path, or `-` for standard input. */
  events: string;
  now?: string;
  cluster: string;
  /** Treat the whole input as one queue batch and print the messages the function would send. */
  batch?: boolean;
}

interface PreviewIo {
  stdin: AsyncIterable<string | Buffer>;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** One line of preview output: what the function would decide for one input event. */
export interface PreviewLine {
  index: number;
  uid: string;
  notify: boolean;
  routes: string[];
  receivers: string[];
  suppressedBy: string | null;
  messages: PreviewMessage[];
}

/**
 * A message as preview prints it; `body` is the exact JSON the function would POST. `templateError` says why the
 * receiver's own template failed and the built-in rendered the message instead (also printed on stderr).
 */
export interface PreviewMessage {
  receiver: string;
  msgtype: string;
  body: unknown;
  templateError?: string;
}

/** One line of `preview --batch`: a message and the input indexes of the events it covers. */
export interface BatchPreviewLine extends PreviewMessage {
  events: number[];
}

/**
 * Runs preview; returns the exit code: 0, 1 for an unusable bundle or option, 2 when some input was bad (the
 * rest is still judged). Each input event is judged on its own: collapsing updates is a batch concern.
 */
export async function runPreview(options: PreviewOptions, io: PreviewIo): Promise<number> {
  const now = options.now === undefined ? Date.now() : Date.parse(options.now);
  if (Number.isNaN(now)) {
    io.stderr.write(`preview: --now ${JSON.stringify(options.now)} is not an ISO timestamp\n`);
    return 1;
  }
  let engine: RulesEngine;
  let renderer: Renderer;
  try {
    const { bundle, warnings } = await loadCheckedBundle(options.config);
    for (const warning of warnings) io.stderr.write(`warning: ${formatProblem(warning)}\n`);
    engine = compileRules(bundle);
    renderer = compileRenderer(bundle, { now: () => now });
  } catch (err) {
    if (!(err instanceof BundleError)) throw err;
    io.stderr.write(`${err.message}\n`);
    return 1;
  }
  const source = options.events === '-' ? 'stdin' : options.events;
  const text = options.events === '-' ? await readAll(io.stdin) : await readFile(options.events, 'utf8');
  const input = readEventInput(text, { cluster: options.cluster, observedAt: new Date(now).toISOString() });
  let bad = false;
  for (const problem of input.problems) {
    if (problem.severity === 'error') bad = true;
    io.stderr.write(
      `${source}:${problem.line}: ${problem.severity === 'error' ? 'error' : 'skipped'}: ${problem.path}: ${problem.message}\n`,
    );
  }
  // One run is one stretch of time: an update whose `repeat.every` window an earlier input already won is held back.
  const claims = inMemoryClaims();
  if (options.batch) return previewBatch(input.events, { engine, renderer, claims }, now, source, io, bad);
  for (const item of input.events) {
    let event;
    try {
      event = normalizeEvent(item.envelope);
    } catch (err) {
      if (!(err instanceof PoisonMessageError)) throw err;
      bad = true;
      io.stderr.write(`${source}:${item.line}: error: event ${item.index}: ${err.message}\n`);
      continue;
    }
    const decision = await withWonClaims(engine.evaluate(event, now), claims, now);
    const line: PreviewLine = {
      index: item.index,
      uid: event.uid,
      notify: decision.notify,
      routes: decision.routes,
      receivers: decision.deliveries.map((delivery) => delivery.receiver),
      suppressedBy: decision.suppressedBy && describeSuppression(decision.suppressedBy),
      messages: decision.deliveries.flatMap((delivery) =>
        renderer.renderEvent(delivery.receiver, event, delivery.mentions).map(toPreviewMessage),
      ),
    };
    for (const message of line.messages) {
      if (message.templateError === undefined) continue;
      io.stderr.write(
        `${source}:${item.line}: warning: event ${item.index}: receiver ${message.receiver}: ${message.templateError}\n`,
      );
    }
    io.stdout.write(`${JSON.stringify(line)}\n`);
  }
  return bad ? 2 : 0;
}

/** `--batch`: the input is one queue batch, judged, grouped, rendered and budgeted exactly as the function does. */
async function previewBatch(
  events: readonly InputEvent[],
  deps: { engine: RulesEngine; renderer: Renderer; claims: RepeatClaims },
  now: number,
  source: string,
  io: PreviewIo,
  badInput: boolean,
): Promise<number> {
  const records = events.map((item) => ({
    messageId: String(item.index),
    body: queueBody(item.envelope),
  }));
  const { planned, poison, templateFailures } = await planBatch(records, deps, now);
  for (const letter of poison) {
    const item = events[Number(letter.messageId)]!;
    io.stderr.write(
      `${source}:${item.line}: error: event ${item.index}: ${letter.reason.replace(/^poison message: /, '')}\n`,
    );
  }
  for (const failure of templateFailures) {
    io.stderr.write(
      `${source}: warning: receiver ${failure.receiver}: ${failure.error} (events ${failure.eventUids.join(', ')})\n`,
    );
  }
  for (const item of planned) {
    const indexes = item.events.flatMap((event) => event.positions).sort((a, b) => a - b);
    const line: BatchPreviewLine = { ...toPreviewMessage(item.message), events: indexes };
    io.stdout.write(`${JSON.stringify(line)}\n`);
  }
  return badInput || poison.length > 0 ? 2 : 0;
}

function toPreviewMessage(message: RenderedMessage): PreviewMessage {
  const { receiver, msgtype, body, templateError } = message;
  return templateError === undefined
    ? { receiver, msgtype, body }
    : { receiver, msgtype, body, templateError };
}

/** The whole of standard input (or any chunk stream) as UTF-8 text. */
export async function readAll(stream: AsyncIterable<string | Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
