import type { ChannelContent, ChannelMentions } from '../../../functions/channels/content/index.ts';

/** Rendered content with sensible defaults, for body-builder tests. */
export function content(
  overrides: Partial<Omit<ChannelContent, 'mentions'>> & { mentions?: Partial<ChannelMentions> } = {},
): ChannelContent {
  return {
    title: overrides.title ?? 'BackOff in pay/api',
    text: overrides.text ?? 'Warning BackOff pod/api-7d9f\nBack-off restarting failed container',
    mentions: { users: [], mobiles: [], all: false, ...overrides.mentions },
  };
}
