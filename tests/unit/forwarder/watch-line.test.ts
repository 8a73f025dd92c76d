import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { objectText } from '../../../forwarder/kube/index.ts';

describe('objectText', () => {
  const cases: Array<[string, string, string | undefined]> = [
    ['the API server layout', '{"type":"ADDED","object":{"a":1,"b":"}"}}', '{"a":1,"b":"}"}'],
    ['keys in another order', '{"object":{"a":1},"type":"ADDED"}', undefined],
    ['an extra member after the object', '{"type":"ADDED","object":{"a":1},"x":2}', undefined],
    ['whitespace between members', '{"type": "ADDED", "object": {"a":1}}', undefined],
  ];
  for (const [what, line, expected] of cases) {
    it(`takes the object's text verbatim only for the exact layout: ${what}`, () => {
      const text = objectText(line, JSON.parse(line) as { type: unknown; object: unknown });
      assert.equal(text, expected);
      if (text !== undefined)
        assert.deepEqual(JSON.parse(text), (JSON.parse(line) as { object: unknown }).object);
    });
  }
});
