import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP endpoint on loopback in front of another, answering each request `delayMs` later than it would. */
export interface SlowEndpoint {
  url: string;
  close(): Promise<void>;
}

/**
 * Puts a round trip's worth of waiting in front of a loopback server, so a client meets the latency a real
 * service has (SQS answers in milliseconds, fauxqs on loopback in microseconds) while the server stays the same.
 * The request is read whole, held for `delayMs`, then passed on unchanged; the answer is passed back as it comes.
 */
export async function startSlowEndpoint(target: string, delayMs: number): Promise<SlowEndpoint> {
  const { hostname, port } = new URL(target);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      setTimeout(() => {
        const upstream = request(
          { hostname, port, method: req.method, path: req.url, headers: req.headers },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        upstream.on('error', (err) => res.destroy(err));
        upstream.end(Buffer.concat(chunks));
      }, delayMs);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
