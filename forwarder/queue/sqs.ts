import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { SQSClient, SendMessageBatchRequestEntry, SendMessageBatchResult } from '@aws-sdk/client-sqs';
import { SignatureV4 } from '@smithy/signature-v4';

/** The two SQS calls the forwarder makes. */
export interface QueueClient {
  sendBatch(entries: SendMessageBatchRequestEntry[]): Promise<SendMessageBatchResult>;
  /** Throws unless the queue answers (readiness). */
  probe(): Promise<void>;
}

/** Where and how the SDK sends this client's requests, taken from a request it signed. */
interface Endpoint {
  https: boolean;
  hostname: string;
  port: number | undefined;
  /** The `host` header the SDK signed. */
  host: string;
  path: string;
  region: string;
  service: string;
}

const REQUEST_TIMEOUT_MS = 30_000;
const endpoints = new WeakMap<SQSClient, Endpoint>();

/**
 * {@link QueueClient} for SQS. The probe goes through the AWS SDK, which settles endpoint, region and
 * credentials as it always does (IRSA, `AWS_ENDPOINT_URL_SQS`, FIPS, the queue URL's host); SendMessageBatch,
 * the one hot call, is then written directly: the entries' bodies are escaped into one JSON request and signed
 * by the SDK's own SigV4 signer (`@smithy/signature-v4`) with the SDK's credential provider and the endpoint and
 * signing scope its request used. The SDK's per-call middleware and codec cost more than everything else the
 * forwarder does per event.
 */
export function sqsQueueClient(client: SQSClient, queueUrl: string): QueueClient {
  watchEndpoint(client);
  let signer: SignatureV4 | undefined;
  const agents = {
    http: new HttpAgent({ keepAlive: true }),
    https: new HttpsAgent({ keepAlive: true }),
  };
  const queueUrlJson = JSON.stringify(queueUrl);
  const probe = async () => {
    await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  };
  return {
    probe,
    async sendBatch(entries) {
      if (!endpoints.has(client)) await probe();
      const endpoint = endpoints.get(client)!;
      let body = `{"QueueUrl":${queueUrlJson},"Entries":[`;
      entries.forEach((e, i) => {
        body += `${i === 0 ? '' : ','}{"Id":${JSON.stringify(e.Id)},"MessageBody":${JSON.stringify(e.MessageBody)}}`;
      });
      const payload = Buffer.from(`${body}]}`);
      signer ??= new SignatureV4({
        credentials: client.config.credentials,
        region: endpoint.region,
        service: endpoint.service,
        sha256: client.config.sha256,
      });
      const signed = await signer.sign({
        method: 'POST',
        protocol: endpoint.https ? 'https:' : 'http:',
        hostname: endpoint.hostname,
        ...(endpoint.port ? { port: endpoint.port } : {}),
        path: endpoint.path,
        query: {},
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          host: endpoint.host,
          'x-amz-target': 'AmazonSQS.SendMessageBatch',
        },
        body: payload,
      });
      const res = await post(endpoint, endpoint.https ? agents.https : agents.http, signed.headers, payload);
      const text = res.body.toString('utf8');
      if (res.status !== 200) throw sqsError(res.status, text);
      return JSON.parse(text) as SendMessageBatchResult;
    },
  };
}

/** Records, once per client, the endpoint and signing scope of the requests the SDK sends. */
function watchEndpoint(client: SQSClient): void {
  const name = 'kubeWecomEndpoint';
  if (client.middlewareStack.identify().some((entry) => entry.startsWith(name))) return;
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as {
        protocol?: string;
        hostname?: string;
        port?: number;
        path?: string;
        headers?: Record<string, string>;
      };
      const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\//.exec(request.headers?.authorization ?? '');
      if (request.hostname && request.headers?.host && scope) {
        endpoints.set(client, {
          https: request.protocol !== 'http:',
          hostname: request.hostname,
          port: request.port,
          host: request.headers.host,
          path: request.path || '/',
          region: scope[1]!,
          service: scope[2]!,
        });
      }
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name },
  );
}

function post(
  endpoint: Endpoint,
  agent: HttpAgent,
  headers: Record<string, string>,
  payload: Buffer,
): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = (endpoint.https ? httpsRequest : httpRequest)(
      {
        method: 'POST',
        hostname: endpoint.hostname,
        ...(endpoint.port ? { port: endpoint.port } : {}),
        path: endpoint.path,
        headers: { ...headers, 'content-length': String(payload.length) },
        agent,
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('SendMessageBatch timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}

/** An SQS error answer (`{"__type": "…#Code", "message": "…"}`) as an Error named after its code. */
function sqsError(status: number, text: string): Error {
  let code = `HTTP${status}`;
  let message = text.slice(0, 500);
  try {
    const parsed = JSON.parse(text) as { __type?: string; message?: string; Message?: string };
    code = parsed.__type?.split('#').pop() ?? code;
    message = parsed.message ?? parsed.Message ?? message;
  } catch {
    // Not JSON (a proxy's error page): the status and the start of the text say enough.
  }
  return Object.assign(new Error(`SendMessageBatch failed: ${code}: ${message}`), { name: code, status });
}
