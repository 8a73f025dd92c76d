/** Channel-neutral rendered content and the small text rules every chat channel shares. */
export { NO_MENTIONS, type ChannelContent, type ChannelMentions } from './types.ts';
export { withKeyword } from './keywords.ts';
export { neutralizeAt } from './lookalike.ts';
