import type { NormalizedEvent } from '../../../contracts/index.ts';
import { compileRenderer, sampleEvent } from '../../../functions/render/index.ts';
import type { RenderedMessage, Renderer } from '../../../functions/render/index.ts';
import { bundleSchema } from '../../../functions/bundle/index.ts';
import type { ResolvedMentions } from '../../../functions/rules/index.ts';
import type { Bundle, BundleInput } from '../../../functions/bundle/index.ts';

/** The fixed clock of render tests: eight minutes after the sample event's first occurrence. */
export const NOW = Date.parse('2026-11-27T10:08:00Z');

/** A parsed bundle with one receiver per msgtype (`md`, `text`, `v2`) plus whatever `extra` adds. */
export function bundle(extra: Partial<BundleInput> & { receivers?: BundleInput['receivers'] } = {}): Bundle {
  return bundleSchema.parse({
    version: 1,
    timezone: 'Asia/Shanghai',
    routes: [],
    ...extra,
    receivers: {
      md: { webhook: 'env:WECOM_MD', msgtype: 'markdown' },
      text: { webhook: 'env:WECOM_TEXT', msgtype: 'text' },
      v2: { webhook: 'env:WECOM_V2', msgtype: 'markdown_v2' },
      ...extra.receivers,
    },
  });
}

/** A renderer over `bundle(extra)` with the fixed clock. */
export function renderer(extra: Parameters<typeof bundle>[0] = {}): Renderer {
  return compileRenderer(bundle(extra), { now: () => NOW });
}

/** The sample event with some fields replaced. */
export function event(fields: Partial<NormalizedEvent> = {}): NormalizedEvent {
  return { ...sampleEvent(), ...fields };
}

/** Mentions, none by default. */
export function mentions(fields: Partial<ResolvedMentions> = {}): ResolvedMentions {
  return { users: [], mobiles: [], all: false, ...fields };
}

/** The content string of a rendered message. */
export function content(message: RenderedMessage): string {
  const inner = message.body[message.msgtype] as { content?: unknown };
  if (typeof inner.content !== 'string') throw new Error(`no content in ${JSON.stringify(message.body)}`);
  return inner.content;
}

/** UTF-8 bytes of a string. */
export function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
