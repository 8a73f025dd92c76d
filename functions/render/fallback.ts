import type { Producer } from './producers.ts';
import type { RenderedMessage } from './types.ts';

/**
 * Renders with the receiver's template; if that throws on this event or runs past its time limit, renders with the
 * built-in and says why.
 */
export function withFallback(
  producer: Producer,
  fallback: Producer,
  render: (producer: Producer) => RenderedMessage[],
): RenderedMessage[] {
  if (producer === fallback) return render(producer);
  try {
    return render(producer);
  } catch (err) {
    const templateError = `template ${JSON.stringify(producer.template)} failed: ${(err as Error).message}`;
    return render(fallback).map((message) => ({
      ...message,
      templateError,
      failedTemplate: producer.template,
    }));
  }
}
