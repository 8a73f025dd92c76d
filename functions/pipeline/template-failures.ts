import type { PlannedMessage } from './types.ts';

/** A receiver's template that failed on some events; the built-in template rendered them instead. */
export interface TemplateFailure {
  receiver: string;
  template: string;
  /** The uids of the events the failed render was for. */
  eventUids: string[];
  error: string;
}

/**
 * The template failures behind a plan, one per rendered message that fell back to a built-in. A fallback still
 * delivers the event, so nothing else would show that an operator's template is broken: the handler logs and
 * counts these, and `preview` prints them.
 */
export function templateFailuresOf(planned: readonly PlannedMessage[]): TemplateFailure[] {
  const failures: TemplateFailure[] = [];
  for (const { message, events } of planned) {
    if (message.templateError === undefined) continue;
    failures.push({
      receiver: message.receiver,
      template: message.failedTemplate ?? '',
      eventUids: events.map((item) => item.event.uid),
      error: message.templateError,
    });
  }
  return failures;
}
