/** The bundled incident that `npm start` replays through the fake API server when no cluster is reachable. */
export { INCIDENT } from './script.ts';
export type { Incident, IncidentEvent, IncidentNamespace, IncidentStep } from './types.ts';
