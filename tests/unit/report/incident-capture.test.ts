import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { INCIDENT, incidentCaptureLines } from '../../../local/incident/index.ts';

describe('the checked-in incident capture', () => {
  it('is what the incident script makes (else run `npm run capture:incident`)', () => {
    const checkedIn = readFileSync(new URL('../../../local/incident/capture.jsonl', import.meta.url), 'utf8');
    assert.equal(checkedIn, incidentCaptureLines(INCIDENT));
  });
});
