import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ChannelAnswerError,
  ChannelEndpointError,
  ChannelTransientError,
} from '../../../functions/channels/delivery/index.ts';
import {
  buildWebhookRequest,
  compileWebhookBody,
  WebhookClient,
} from '../../../functions/channels/webhook/index.ts';
import {
  startJsonServer,
  type EmulatorRequest,
  type JsonServer,
} from '../../../emulators/json-server/index.ts';

const received: EmulatorRequest[] = [];
let status = 200;
let endpoint: JsonServer;
let host: string;

before(async () => {
  endpoint = await startJsonServer((request) => {
    received.push(request);
    return { status, body: { ok: status < 300 } };
  });
  host = new URL(endpoint.url).host;
});
after(() => endpoint.close());

const spec = {
  method: 'POST' as const,
  headers: { Authorization: 'Bearer resolved-by-caller' },
  body: compileWebhookBody('{"text":"{{ .Reason }}: {{ .Message }}"}', ['Reason', 'Message']),
};
const client = new WebhookClient();
const send = (message: string, allowedHosts = [host]) =>
  client.send(`${endpoint.url}/hook`, buildWebhookRequest(spec, { Reason: 'BackOff', Message: message }), {
    deadline: Date.now() + 5000,
    allowedHosts,
  });

describe('webhook client against a loopback endpoint', () => {
  it('delivers valid JSON with headers even when event text holds quotes, newlines and backslashes', async () => {
    status = 201;
    const result = await send('he said "no"\nC:\\tmp');
    assert.deepEqual(result, { status: 201, code: 201, message: 'HTTP 201' });
    const request = received.at(-1)!;
    assert.equal(request.method, 'POST');
    assert.equal(request.headers.authorization, 'Bearer resolved-by-caller');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(request.body), { text: 'BackOff: he said "no"\nC:\\tmp' });
  });

  it('treats 5xx as transient and 4xx as permanent', async () => {
    status = 502;
    await assert.rejects(send('x'), ChannelTransientError);
    status = 403;
    await assert.rejects(send('x'), ChannelAnswerError);
  });

  it("refuses a host missing from the bundle's allow-list, sending nothing", async () => {
    const before = received.length;
    await assert.rejects(send('x', []), ChannelEndpointError);
    assert.equal(received.length, before);
  });
});
