// Rewrites local/incident/capture.jsonl from the incident script, after the script changed (a unit test says when).
import { writeFileSync } from 'node:fs';
import { INCIDENT, incidentCaptureLines } from '../local/incident/index.ts';

writeFileSync(new URL('../local/incident/capture.jsonl', import.meta.url), incidentCaptureLines(INCIDENT));
