import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  buildWebhookRequest,
  checkWebhookHeaders,
  compileWebhookBody,
  WebhookTemplateError,
} from '../../../../functions/channels/webhook/index.ts';

const FIELDS = ['Reason', 'Message', 'InvolvedObject.Name', 'count'];
// kube-eventer's ConfigMap body for a WeCom robot, with its Go-template placeholders.
const KUBE_EVENTER_BODY =
  '{"msgtype":"text","text":{"content":"{{ .Reason }} {{ .InvolvedObject.Name }}: {{ .Message }}"},"n":1}';

describe('webhook body templates', () => {
  it("renders kube-eventer's Go-template placeholders inside JSON strings, keeping other values", () => {
    const body = compileWebhookBody(KUBE_EVENTER_BODY, FIELDS);
    assert.deepEqual(body.fields, ['Reason', 'InvolvedObject.Name', 'Message']);
    const rendered = body.render({ Reason: 'BackOff', 'InvolvedObject.Name': 'api', Message: 'failed' });
    assert.equal(rendered, '{"msgtype":"text","text":{"content":"BackOff api: failed"},"n":1}');
  });

  it('JSON-escapes quotes, backslashes and newlines, which broke kube-eventer bodies', () => {
    const rendered = compileWebhookBody(KUBE_EVENTER_BODY, FIELDS).render({ Message: 'say "hi"\n\\path' });
    assert.equal(JSON.parse(rendered).text.content, ' : say "hi"\n\\path');
  });

  it('stays valid JSON holding exactly the values, for any values (property)', () => {
    const template = compileWebhookBody(
      '{"a":"{{Reason}}","b":["x{{ Message }}y",{"c":"{{count}}"}]}',
      FIELDS,
    );
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.string({ unit: 'binary' }),
        fc.string(),
        (reason, message, count) => {
          const parsed = JSON.parse(template.render({ Reason: reason, Message: message, count }));
          assert.deepEqual(parsed, { a: reason, b: [`x${message}y`, { c: count }] });
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('refuses at load a template that is not JSON, e.g. a placeholder outside a string', () => {
    assert.throws(() => compileWebhookBody('{"count": {{count}}}', FIELDS), WebhookTemplateError);
  });

  it('refuses at load unknown fields and placeholders in keys', () => {
    assert.throws(() => compileWebhookBody('{"a":"{{ .Nope }}"}', FIELDS), /unknown fields Nope/);
    assert.throws(() => compileWebhookBody('{"{{Reason}}":"x"}', FIELDS), /placeholder in the key/);
  });
});

describe('webhook requests', () => {
  it('uses the method and headers, with a JSON content-type unless the receiver sets one', () => {
    const body = compileWebhookBody('{"m":"{{Message}}"}', FIELDS);
    const request = buildWebhookRequest(
      { method: 'PUT', headers: { Authorization: 'Bearer t' }, body },
      { Message: 'x' },
    );
    assert.deepEqual(request, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
      body: '{"m":"x"}',
    });
  });

  it('refuses header values with line breaks, so a resolved secret cannot inject a header', () => {
    assert.throws(() => checkWebhookHeaders({ 'X-Token': 'a\r\nX-Evil: 1' }), WebhookTemplateError);
    assert.throws(() => checkWebhookHeaders({ 'Bad Name': 'x' }), WebhookTemplateError);
  });
});
