import type { PlatformAnswer } from './deliver.ts';

/** Reads `{"errcode":…,"errmsg":…}`, the answer shape of DingTalk robots and WeCom applications. */
export function readErrcodeAnswer(data: unknown): PlatformAnswer | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { errcode, errmsg } = data as { errcode?: unknown; errmsg?: unknown };
  if (!Number.isInteger(errcode)) return undefined;
  return { code: errcode as number, message: typeof errmsg === 'string' ? errmsg : '' };
}
