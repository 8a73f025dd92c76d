/** A fetched access token and how long WeCom says it lives. */
export interface FetchedToken {
  token: string;
  expiresInMs: number;
}

interface Entry {
  token: Promise<string>;
  /** The token once fetched, to tell a stale token from a newer one. */
  value?: string;
  expiresAt: number;
}

/**
 * Access tokens per application, kept until shortly before they expire. WeCom issues a token for 7200 s and
 * limits `gettoken` calls, so a send must not fetch one each time (kube-eventer's `wechat` sink did). Concurrent
 * sends share one fetch; a failed fetch is not kept.
 */
export class AccessTokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    /** Tokens are dropped this long before WeCom's expiry, so none expires between the check and the request. */
    private readonly marginMs: number,
  ) {}

  /** The cached token for `key`, or the one `fetch` gets. */
  get(key: string, now: number, fetch: () => Promise<FetchedToken>): Promise<string> {
    const cached = this.entries.get(key);
    if (cached && now < cached.expiresAt) return cached.token;
    const entry: Entry = { token: Promise.resolve(''), expiresAt: Infinity };
    entry.token = fetch().then(
      ({ token, expiresInMs }) => {
        entry.value = token;
        entry.expiresAt = now + expiresInMs - this.marginMs;
        return token;
      },
      (err: unknown) => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
        throw err;
      },
    );
    this.entries.set(key, entry);
    return entry.token;
  }

  /** Forgets `stale` (WeCom refused it: 42001, 40014), unless a newer token already replaced it. */
  invalidate(key: string, stale: string): void {
    if (this.entries.get(key)?.value === stale) this.entries.delete(key);
  }
}
