import { spawn } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import type { Hash, Hmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, get, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SignatureV4 } from '@smithy/signature-v4';
import { DEFAULT_SEND_CONCURRENCY } from '../forwarder/config/index.ts';
import { medianOf } from './measure.ts';

const BATCH = 10;
/** The forwarder's SendMessageBatch calls in flight, by default. */
const CONCURRENCY = DEFAULT_SEND_CONCURRENCY;
const WARM_UP_PASSES = 6;
const MEASURED_PASSES = 5;

/** An SQS answer for ten entries, about the size SQS sends. */
const ANSWER = JSON.stringify({
  Successful: Array.from({ length: BATCH }, (_, i) => ({
    Id: String(i),
    MessageId: '8f9e2a4c-6a64-4b0e-9f3d-2c7d1b0e5a1f',
    MD5OfMessageBody: '3f1a4c0d2b9e8f7a6c5d4e3b2a1f0e9d',
  })),
});

type Data = string | ArrayBuffer | ArrayBufferView;

function bytes(data: Data): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** SHA-256 and HMAC-SHA-256 over node:crypto, as the SDK's own hash for Node (`@smithy/hash-node`) does. */
class Sha256 {
  private readonly hash: Hash | Hmac;

  constructor(secret?: Data) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }

  update(data: Data): void {
    this.hash.update(bytes(data));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.hash.digest());
  }
}

/**
 * Two floors for forwarding these watch lines, measured on a minimal Node.js forwarder with no filtering,
 * enrichment, buffer, checkpoint or metrics. The watch is served by another process on loopback, one chunk per
 * line as the API server flushes each event, so this process's CPU time is the client's alone.
 *
 * - `readUs`: reading the watch through `node:http` and parsing each line: what any Node.js forwarder pays before
 *   it does anything with an event.
 * - `protocolUs`: that, plus SendMessageBatch: the event's own text written as a JSON string into the request,
 *   per ten events a signature (SigV4 with the forwarder's signer: SHA-256 of the payload and of the canonical
 *   request, an HMAC) and a POST on a kept-alive loopback connection, as many in flight as the forwarder keeps, and the answer parsed.
 *
 * Each is the median of five passes after six warm-up passes, in µs per event.
 */
export async function protocolFloorsUs(lines: string[]): Promise<{ readUs: number; protocolUs: number }> {
  const server = await startServer(lines);
  const agent = new Agent({ keepAlive: true });
  const signer = new SignatureV4({
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    region: 'us-east-1',
    service: 'sqs',
    sha256: Sha256,
  });
  const send = async (bodies: string[]) => {
    let body = '{"QueueUrl":"http://127.0.0.1/000000000000/bench","Entries":[';
    bodies.forEach((text, i) => {
      body += `${i === 0 ? '' : ','}{"Id":"${i}","MessageBody":${JSON.stringify(text)}}`;
    });
    const payload = Buffer.from(`${body}]}`);
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: server.port,
      path: '/',
      query: {},
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        host: `127.0.0.1:${server.port}`,
        'x-amz-target': 'AmazonSQS.SendMessageBatch',
      },
      body: payload,
    });
    JSON.parse(await post(server.port, agent, signed.headers, payload));
  };
  // The warm-up passes warm up the code, as the forwarder's first burst does.
  const floor = (sendBatch: (bodies: string[]) => Promise<void>) =>
    medianOf(
      async () => {
        const before = process.cpuUsage();
        await forwardOnce(server.port, sendBatch);
        const used = process.cpuUsage(before);
        return (used.user + used.system) / lines.length;
      },
      MEASURED_PASSES,
      WARM_UP_PASSES,
    );
  try {
    const readUs = await floor(() => Promise.resolve());
    return { readUs, protocolUs: await floor(send) };
  } finally {
    agent.destroy();
    server.stop();
  }
}

/** Reads the whole watch and sends it in batches of ten, CONCURRENCY in flight; resolves when all are answered. */
function forwardOnce(port: number, send: (bodies: string[]) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    const ready: string[][] = [];
    let batch: string[] = [];
    let inFlight = 0;
    let ended = false;
    const pump = () => {
      while (inFlight < CONCURRENCY && ready.length > 0) {
        inFlight++;
        send(ready.shift()!).then(() => {
          inFlight--;
          pump();
        }, reject);
      }
      if (ended && inFlight === 0 && ready.length === 0) resolve();
    };
    get({ hostname: '127.0.0.1', port, path: '/watch' }, (res) => {
      let partial = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop()!;
        for (const line of parts) {
          JSON.parse(line);
          // The event's own text from the line, never serialised again (the fake writes `{"type":…,"object":…}`).
          batch.push(line.slice(line.indexOf('"object":') + 9, -1));
          if (batch.length === BATCH) [ready[ready.length], batch] = [batch, []];
        }
        pump();
      });
      res.on('end', () => {
        if (batch.length > 0) ready.push(batch);
        ended = true;
        pump();
      });
    }).on('error', reject);
  });
}

function post(port: number, agent: Agent, headers: Record<string, string>, payload: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        method: 'POST',
        hostname: '127.0.0.1',
        port,
        path: '/',
        headers: { ...headers, 'content-length': String(payload.length) },
        agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * An HTTP server in a child process on loopback: `GET /watch` streams the lines, one write each, and every
 * other request gets {@link ANSWER}.
 */
async function startServer(lines: string[]): Promise<{ port: number; stop(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'kube-wecom-floor-'));
  const file = join(dir, 'lines.jsonl');
  writeFileSync(file, lines.join('\n'));
  const source = `
    const lines = require('node:fs').readFileSync(${JSON.stringify(file)}, 'utf8').split('\\n');
    const answer = ${JSON.stringify(ANSWER)};
    const server = require('node:http').createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url === '/watch') {
          res.writeHead(200, { 'content-type': 'application/json' });
          for (const line of lines) res.write(line + '\\n');
          return res.end();
        }
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(answer) });
        res.end(answer);
      });
    });
    server.keepAliveTimeout = 60000;
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;
  const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the floor's server exited with ${code}`)));
    createInterface(child.stdout!).once('line', (line) => resolve(Number(line)));
  });
  return {
    port,
    stop: () => {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
