import type { ServerResponse } from 'node:http';
import type { WecomEmulator } from '../../emulators/wecom/index.ts';
import { receiverIndex, toPreviewMessage } from './messages.ts';
import type { PreviewFeed, PreviewMessage, PreviewRecord, PreviewRobot } from './messages.ts';
import { previewPage } from './page.ts';
import type { LocalStats } from './stats.ts';

/** Options of `mountPreviewPage`. */
export interface PreviewPageOptions {
  /** The current figures (e.g. `() => board.snapshot()`). */
  stats: () => LocalStats;
  /** The robots of the local rules, read on every request so a reloaded bundle shows at once. */
  robots: () => PreviewRobot[];
  /**
   * The IANA time zone the bundle renders times in (`bundle.timezone`). The page shows every time in it too, so a
   * card's header and its body agree whatever zone the browser is in.
   */
  timeZone: string;
  /** Subscribes to stats changes (e.g. `(l) => board.onChange(l)`); without it stats are pushed with messages. */
  statsChanges?: (listener: () => void) => () => void;
  /** Delay that coalesces bursts of stats changes into one push (default 250 ms). */
  statsThrottleMs?: number;
  /** Where messages come from (default: the emulator's own), e.g. a feed adding the other channels' messages. */
  feed?: PreviewFeed;
}

/** The mounted page; `close` detaches it from the emulator and ends open event streams. */
export interface PreviewPage {
  close(): void;
}

/** The body of `GET /api/messages`. */
export interface PreviewMessagesResponse {
  /** Newest first. */
  messages: PreviewMessage[];
  /** Receiver names of the configured robots, in configuration order. */
  receivers: string[];
  /** The bundle's time zone, in which the page shows times. */
  timeZone: string;
}

const KEEPALIVE_MS = 15_000;

function sendJson(res: ServerResponse, value: unknown): void {
  res
    .writeHead(200, { 'content-type': 'application/json; charset=UTF-8', 'cache-control': 'no-store' })
    .end(JSON.stringify(value));
}

function receiverNames(robots: readonly PreviewRobot[]): string[] {
  return [...new Set(robots.map((r) => r.receiver))];
}

/**
 * Adds the live preview page to a WeCom emulator: `GET /` (the page), `GET /api/messages` (newest first; `?since=N`
 * returns only messages with `seq > N`, `?receiver=R` one receiver's), `GET /api/stats` and `GET /api/events`
 * (server-sent events: `snapshot` on connect, then `wecom-message` and `stats`).
 */
export function mountPreviewPage(emulator: WecomEmulator, options: PreviewPageOptions): PreviewPage {
  const streams = new Set<ServerResponse>();
  const throttleMs = options.statsThrottleMs ?? 250;
  const feed = options.feed ?? emulator;

  const previews = (): PreviewMessage[] => {
    const receivers = receiverIndex(options.robots());
    return feed
      .messages()
      .map((m, i) => toPreviewMessage(m, i + 1, receivers))
      .reverse();
  };

  const broadcast = (event: string, data: unknown) => {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of streams) res.write(frame);
  };

  let statsTimer: NodeJS.Timeout | undefined;
  const pushStats = () => {
    if (statsTimer || streams.size === 0) return;
    statsTimer = setTimeout(() => {
      statsTimer = undefined;
      broadcast('stats', options.stats());
    }, throttleMs);
    statsTimer.unref();
  };

  const stopMessages = emulator.onMessage((message: PreviewRecord) => {
    if (streams.size === 0) return;
    const robots = options.robots();
    // The listener runs right after the emulator records the message, so it is the last one.
    const seq = emulator.messages().length;
    broadcast('wecom-message', {
      message: toPreviewMessage(message, seq, receiverIndex(robots)),
      receivers: receiverNames(robots),
    });
    if (!options.statsChanges) pushStats();
  });
  const stopStats = options.statsChanges?.(pushStats);

  const keepalive = setInterval(() => {
    for (const res of streams) res.write(': keepalive\n\n');
  }, KEEPALIVE_MS);
  keepalive.unref();

  emulator.route('GET', '/', (_req, res) => {
    const page = previewPage();
    res
      .writeHead(200, {
        'content-type': 'text/html; charset=UTF-8',
        'content-security-policy': page.csp,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-store',
      })
      .end(page.html);
  });

  emulator.route('GET', '/api/messages', (_req, res, url) => {
    const since = Number(url.searchParams.get('since') ?? 0) || 0;
    const receiver = url.searchParams.get('receiver');
    const messages = previews().filter(
      (m) => m.seq > since && (receiver === null || m.receiver === receiver),
    );
    sendJson(res, {
      messages,
      receivers: receiverNames(options.robots()),
      timeZone: options.timeZone,
    } satisfies PreviewMessagesResponse);
  });

  emulator.route('GET', '/api/stats', (_req, res) => sendJson(res, options.stats()));

  emulator.route('GET', '/api/events', (req, res) => {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=UTF-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    // A snapshot first, in the same stream, so nothing recorded between a page's fetch and its subscription is lost.
    res.write('retry: 2000\n\n');
    res.write(
      `event: snapshot\ndata: ${JSON.stringify({
        messages: previews(),
        receivers: receiverNames(options.robots()),
        timeZone: options.timeZone,
        stats: options.stats(),
      })}\n\n`,
    );
    streams.add(res);
    req.on('close', () => streams.delete(res));
  });

  return {
    close: () => {
      stopMessages();
      stopStats?.();
      clearInterval(keepalive);
      clearTimeout(statsTimer);
      for (const res of streams) res.end();
      streams.clear();
    },
  };
}
