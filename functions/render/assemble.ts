import type { MentionPlan } from './mentions.ts';
import { mentionMessage, toMessage } from './message.ts';
import type { Draft } from './producers.ts';
import type { CompiledReceiver } from './receiver.ts';
import type { RenderedMessage } from './types.ts';

/** A message's content after fitting, with the draft it came from. */
export interface Fitted {
  draft: Draft;
  content: string | undefined;
  covers: number[];
}

/** The fitted messages, mentions attached to the first, plus the extra `text` message when the plan needs one. */
export function assemble(
  receiver: CompiledReceiver,
  parts: Fitted[],
  plan: MentionPlan,
  summary: () => string,
  covers: number[],
): RenderedMessage[] {
  const messages = parts.map((part, i) =>
    toMessage(receiver, part.draft, part.content, i === 0 ? plan : undefined, part.covers),
  );
  if (plan.extra) messages.push(mentionMessage(receiver, plan.extra, summary(), covers));
  return messages;
}
