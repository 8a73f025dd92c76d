/** The bundled incident that `npm start` replays through the fake API server when no cluster is reachable. */
export { INCIDENT } from './script.ts';
export type { Incident, IncidentEvent, IncidentNamespace, IncidentStep } from './types.ts';
export { incidentCaptureLines, incidentEnvelopes, CHECKED_IN_CAPTURE } from './capture.ts';
export type { CaptureOptions } from './capture.ts';
