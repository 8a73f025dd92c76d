import { createServer, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as an emulator sees it. */
export interface EmulatorRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  /** The body as UTF-8 text. */
  body: string;
  /** The body's size in bytes, as sent. */
  bytes: number;
}

/** An emulator's answer: chat platforms answer almost everything with HTTP 200 and a JSON body. */
export interface EmulatorReply {
  status?: number;
  body: unknown;
}

export type EmulatorHandler = (request: EmulatorRequest) => EmulatorReply | Promise<EmulatorReply>;

/** A running loopback server. */
export interface JsonServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Starts a node:http server on 127.0.0.1 (port 0: any free one) that hands each request to `handle` and answers
 * its reply as JSON. Emulators keep their platform's rules; this keeps the sockets.
 */
export async function startJsonServer(handle: EmulatorHandler, port = 0): Promise<JsonServer> {
  const server = createServer((req, res) => {
    readBody(req)
      .then(async (raw) => {
        const request = {
          method: req.method ?? 'GET',
          url: new URL(req.url ?? '/', 'http://127.0.0.1'),
          headers: req.headers,
          body: raw.toString('utf8'),
          bytes: raw.length,
        };
        const reply = await handle(request);
        res
          .writeHead(reply.status ?? 200, { 'content-type': 'application/json; charset=utf-8' })
          .end(JSON.stringify(reply.body));
      })
      .catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
        else res.destroy();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Parses a JSON object body; anything else (not JSON, an array, a string) is `undefined`. */
export function parseObject(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
