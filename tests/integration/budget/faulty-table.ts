import { createServer as createHttpServer, request } from 'node:http';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** What DynamoDB answers a request over its throughput, byte for byte as the SDK parses it. */
const THROTTLED = JSON.stringify({
  __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException',
  message: 'Rate of requests exceeds the allowed throughput.',
});

const listen = async (server: Server) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

/**
 * A loopback proxy in front of a DynamoDB endpoint that answers the requests `throttles` picks (numbered from 1)
 * with DynamoDB's ThrottlingException, and forwards the rest.
 */
export async function startThrottlingProxy(target: string, throttles: (requestNumber: number) => boolean) {
  let requests = 0;
  const server = createHttpServer((incoming, outgoing) => {
    if (throttles(++requests)) {
      incoming.resume();
      outgoing.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' }).end(THROTTLED);
      return;
    }
    const upstream = request(
      `${target}${incoming.url}`,
      { method: incoming.method, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    incoming.pipe(upstream);
  });
  const endpoint = await listen(server);
  return {
    endpoint,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()).closeAllConnections()),
  };
}

/** A table that accepts connections and never answers: the slow case, bounded only by the client's timeouts. */
export async function startSilentTable() {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => sockets.add(socket));
  const endpoint = await listen(server);
  return {
    endpoint,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** An endpoint nothing listens on: a port the system gave out and took back. */
export async function closedEndpoint(): Promise<string> {
  const server = createTcpServer();
  const endpoint = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return endpoint;
}
