import assert from 'node:assert/strict';
import { ChannelRejectedError } from '../../../functions/channels/delivery/index.ts';
import {
  NO_MENTIONS,
  type ChannelContent,
  type ChannelMentions,
} from '../../../functions/channels/content/index.ts';

/** Rendered content with sensible defaults, for body-builder and client tests. */
export function content(
  overrides: Partial<Omit<ChannelContent, 'mentions'>> & { mentions?: Partial<ChannelMentions> } = {},
): ChannelContent {
  return {
    title: overrides.title ?? 'BackOff in pay/api',
    text: overrides.text ?? 'Warning BackOff pod/api-7d9f\nBack-off restarting failed container',
    mentions: { ...NO_MENTIONS, ...overrides.mentions },
  };
}

/** An `assert.rejects` check: a `ChannelRejectedError` with `code`, and a detail matching `detail` when given. */
export function rejectedWith(code: number, detail?: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof ChannelRejectedError, String(err));
    assert.equal(err.code, code);
    if (detail) assert.match(err.detail, detail);
    return true;
  };
}
