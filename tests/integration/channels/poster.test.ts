import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import {
  createServer as createTcpServer,
  type AddressInfo,
  type Server as TcpServer,
  type Socket,
} from 'node:net';
import { axiosPoster } from '../../../functions/channels/delivery/index.ts';

// The one HTTP transport of every channel, WeCom included, against real sockets on loopback: whether a request
// went out decides whether a timeout may be retried (the platform may have acted on a request it received).

const sockets = new Set<Socket>();
const listen = async <T extends Server | TcpServer>(server: T): Promise<{ server: T; port: number }> => {
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
};

let silent: { server: Server; port: number };
let answering: { server: Server; port: number };
let noTls: { server: TcpServer; port: number };

before(async () => {
  // Reads the whole request, then never answers.
  silent = await listen(createServer((req) => req.resume()));
  answering = await listen(
    createServer((req, res) => {
      req.resume();
      if (req.url === '/json')
        res.writeHead(503, { 'retry-after': '2', 'content-type': 'application/json' }).end('{"errcode":-1}');
      else res.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy</html>');
    }),
  );
  // Accepts TCP and never speaks TLS: an HTTPS request never gets its connection.
  noTls = await listen(createTcpServer(() => {}));
});

after(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all([silent, answering, noTls].map(({ server }) => new Promise((r) => server.close(r))));
});

const post = (url: string, timeoutMs = 300) =>
  axiosPoster()({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json' },
    body: '{}',
    timeoutMs,
  });

describe('the HTTP poster', () => {
  it('says a request that went out and got no answer was sent: it may have been acted on', async () => {
    const outcome = await post(`http://127.0.0.1:${silent.port}/send`);
    assert.deepEqual(outcome.kind === 'no-answer' && [outcome.code, outcome.timedOut, outcome.sent], [
      'ETIMEDOUT',
      true,
      true,
    ]);
  });

  it('says a request whose connection never opened was not sent, so its timeout can be retried', async () => {
    const outcome = await post(`https://127.0.0.1:${noTls.port}/send`);
    assert.deepEqual(outcome.kind === 'no-answer' && [outcome.timedOut, outcome.sent], [true, false]);
  });

  it('says a refused connection was not sent and did not time out', async () => {
    const closed = await listen(createServer());
    await new Promise((r) => closed.server.close(r));
    const outcome = await post(`http://127.0.0.1:${closed.port}/send`);
    assert.deepEqual(outcome.kind === 'no-answer' && [outcome.code, outcome.timedOut, outcome.sent], [
      'ECONNREFUSED',
      false,
      false,
    ]);
  });

  it('returns any status as an answer, with the JSON body parsed, raw text kept, and Retry-After read', async () => {
    assert.deepEqual(await post(`http://127.0.0.1:${answering.port}/json`), {
      kind: 'answer',
      status: 503,
      data: { errcode: -1 },
      retryAfterSeconds: 2,
    });
    assert.deepEqual(await post(`http://127.0.0.1:${answering.port}/html`), {
      kind: 'answer',
      status: 200,
      data: '<html>proxy</html>',
    });
  });
});
