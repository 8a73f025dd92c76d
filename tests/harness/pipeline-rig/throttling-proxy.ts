import { createServer, request } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One entry the proxy refused, as SQS reports a throttled entry. */
interface FailedEntry {
  Id: string;
  Code: string;
  Message: string;
  SenderFault: boolean;
}

/**
 * An HTTP proxy in front of fauxqs that throttles SendMessageBatch per entry, as SQS does under a burst: while
 * throttling, each entry fails with probability `rate` (`RequestThrottled`, not the sender's fault) and is not
 * forwarded; the others reach the queue. fauxqs cannot throttle, and its one per-entry failure (a `\u0000` body)
 * is the sender's fault, which is a different path.
 */
export class ThrottlingProxy {
  /** Chance that an entry is refused; 0 turns throttling off. */
  rate = 0;
  /** Entries refused so far. */
  refused = 0;
  private batchWaiters: (() => void)[] = [];
  private constructor(
    private readonly server: Server,
    private readonly targetPort: number,
    private readonly random: () => number,
  ) {}

  static async start(targetPort: number, random: () => number = Math.random): Promise<ThrottlingProxy> {
    const server = createServer();
    const proxy = new ThrottlingProxy(server, targetPort, random);
    // An unreachable queue behind the proxy looks unreachable through it too.
    server.on('request', (req, res) => proxy.handle(req, res).catch(() => res.destroy()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** Resolves when the next SendMessageBatch arrives, before it is forwarded (to kill a sender mid-batch). */
  nextBatch(): Promise<void> {
    return new Promise((resolve) => this.batchWaiters.push(resolve));
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body = Buffer.concat(chunks).toString('utf8');
    const failed: FailedEntry[] = [];
    const isBatch = String(req.headers['x-amz-target']).endsWith('.SendMessageBatch');
    if (isBatch) for (const wake of this.batchWaiters.splice(0)) wake();
    if (this.rate > 0 && isBatch) {
      const parsed = JSON.parse(body) as { Entries: { Id: string }[] };
      const kept = parsed.Entries.filter((entry) => {
        if (this.random() >= this.rate) return true;
        failed.push({
          Id: entry.Id,
          Code: 'RequestThrottled',
          Message: 'Request is throttled.',
          SenderFault: false,
        });
        return false;
      });
      this.refused += failed.length;
      if (kept.length === 0) {
        send(res, 200, JSON.stringify({ Successful: [], Failed: failed }));
        return;
      }
      body = JSON.stringify({ ...parsed, Entries: kept });
    }
    const upstream = await forward(this.targetPort, req, body);
    if (failed.length > 0 && upstream.status === 200) {
      const result = JSON.parse(upstream.body) as { Successful?: unknown[]; Failed?: FailedEntry[] };
      upstream.body = JSON.stringify({ ...result, Failed: [...(result.Failed ?? []), ...failed] });
    }
    send(res, upstream.status, upstream.body, upstream.contentType);
  }
}

function forward(
  port: number,
  req: IncomingMessage,
  body: string,
): Promise<{ status: number; body: string; contentType: string }> {
  const headers = { ...req.headers, 'content-length': String(Buffer.byteLength(body)) };
  return new Promise((resolve, reject) => {
    const out = request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () =>
        resolve({
          status: answer.statusCode ?? 502,
          body: Buffer.concat(chunks).toString('utf8'),
          contentType: String(answer.headers['content-type'] ?? 'application/x-amz-json-1.0'),
        }),
      );
      answer.on('error', reject);
    });
    out.on('error', reject);
    out.end(body);
  });
}

function send(res: ServerResponse, status: number, body: string, contentType = 'application/x-amz-json-1.0') {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) }).end(body);
}
