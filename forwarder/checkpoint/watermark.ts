import { Fifo } from '../queue/index.ts';

/** A stream position: the resourceVersion and when the forwarder observed it (ms since the epoch). */
export interface Position {
  resourceVersion: string;
  observedAt: number;
}

interface Entry extends Position {
  done: boolean;
}

/** A handle on one position that waits for SQS. */
export interface Ticket {
  settle(): void;
}

/**
 * Tracks the highest stream position up to which everything is settled (acknowledged by SQS, skipped, or
 * counted as dropped), so the checkpoint never advances past an event SQS has not acknowledged, even though
 * batches complete out of order.
 */
export class Watermark {
  private readonly entries = new Fifo<Entry>();
  private last: Entry | undefined;
  private settledThrough: Position | undefined;

  constructor(start?: Position) {
    this.settledThrough = start;
  }

  /** Everything up to this position is settled. */
  get position(): Position | undefined {
    return this.settledThrough;
  }

  /** Number of positions still waiting. */
  get pending(): number {
    let n = 0;
    for (const e of this.entries) if (!e.done) n++;
    return n;
  }

  /** A position that waits for SQS; settle its ticket when the message was acknowledged or given up. */
  open(resourceVersion: string, observedAt: number): Ticket {
    const entry: Entry = { resourceVersion, observedAt, done: false };
    this.entries.push(entry);
    this.last = entry;
    return {
      settle: () => {
        entry.done = true;
        this.advance();
      },
    };
  }

  /** A position that needs nothing from SQS (a skipped event, a bookmark, the end of a list). */
  pass(resourceVersion: string, observedAt: number): void {
    if (this.last?.done && this.entries.length > 0) {
      // Consecutive settled positions collapse into one, so a quiet stream of skips costs no memory.
      this.last.resourceVersion = resourceVersion;
      this.last.observedAt = observedAt;
    } else {
      const entry: Entry = { resourceVersion, observedAt, done: true };
      this.entries.push(entry);
      this.last = entry;
    }
    this.advance();
  }

  private advance(): void {
    while (this.entries.peek()?.done) {
      const e = this.entries.shift()!;
      this.settledThrough = { resourceVersion: e.resourceVersion, observedAt: e.observedAt };
    }
    if (this.entries.length === 0) this.last = undefined;
  }
}
