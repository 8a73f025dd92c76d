import type { DestinationStream } from 'pino';
import type { Logger } from '../../functions/ports.ts';
import type { BatchStats } from '../../functions/pipeline/index.ts';

/** The console's compact live log: one timestamped line per batch, per message and per problem. */
export class LiveLog {
  private batches = 0;

  constructor(
    private readonly write: (line: string) => void,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** One line, prefixed with the local time. */
  line(text: string): void {
    this.write(`${this.clock().toTimeString().slice(0, 8)}  ${text}`);
  }

  /** What one invocation of the function did. */
  batch(stats: BatchStats): void {
    const suppressed = Object.entries(stats.suppressed)
      .filter(([, n]) => n && n > 0)
      .map(([reason, n]) => `${reason} ${n}`)
      .join(', ');
    const parts = [
      `${stats.records} record${stats.records === 1 ? '' : 's'}`,
      `${stats.collapsed} event${stats.collapsed === 1 ? '' : 's'}`,
      `${stats.notified} notified`,
      ...(suppressed ? [`suppressed: ${suppressed}`] : []),
      `${stats.sent}/${stats.messages} message${stats.messages === 1 ? '' : 's'} sent`,
      ...(stats.retries > 0 ? [`${stats.retries} retries`] : []),
      ...(stats.retryLater > 0 ? [`${stats.retryLater} left for redelivery`] : []),
      ...(stats.deadLetters > 0 ? [`${stats.deadLetters} dead letters`] : []),
      ...(stats.poison > 0 ? [`${stats.poison} poison`] : []),
    ];
    this.line(`function   batch ${++this.batches}: ${parts.join(' · ')}`);
  }

  /** A message a robot accepted: receiver, msgtype, size and its first line without markup. */
  message(receiver: string, msgtype: string, bytes: number, content: string | null): void {
    const title = (content ?? '')
      .split('\n')
      .map(plain)
      .find((l) => l.length > 0);
    this.line(`wecom      → ${receiver} (${msgtype}, ${bytes} B)${title ? `  ${truncate(title, 90)}` : ''}`);
  }

  /** A pino destination that turns the forwarder's JSON log lines into live log lines. */
  forwarderStream(): DestinationStream {
    return {
      write: (json: string) => {
        const {
          msg,
          level: _level,
          time: _time,
          pid: _pid,
          hostname: _host,
          ...fields
        } = JSON.parse(json) as {
          msg?: string;
          [field: string]: unknown;
        };
        this.line(`forwarder  ${msg ?? ''}${describeFields(fields)}`);
      },
    };
  }

  /**
   * The handler's log: warnings and errors (a failed delivery, a dead letter) go to the console; the per-batch
   * info line is left out because {@link batch} already says it more briefly.
   */
  handlerLogger(): Logger {
    const say = (message: string, fields?: Record<string, unknown>) =>
      this.line(`function   ${message}${describeFields(fields ?? {})}`);
    const ignore = () => undefined;
    return { debug: ignore, info: ignore, warn: say, error: say };
  }
}

function describeFields(fields: Record<string, unknown>): string {
  const entries = Object.entries(fields).filter(([, v]) => v !== undefined);
  return entries.length === 0
    ? ''
    : ` (${entries.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ')})`;
}

/** A line of WeCom markdown as a reader sees it: no tags, no emphasis or heading marks. */
function plain(line: string): string {
  return line
    .replace(/<[^>]*>/g, '')
    .replace(/\*\*|^#+\s*|^>\s*/g, '')
    .trim();
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
