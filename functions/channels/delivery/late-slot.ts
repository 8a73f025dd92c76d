/**
 * How late a sender may reach its reserved slot and still use it. Within the shared budget's margin
 * (`functions/budget`: 2 s, less some for the request's way): a send this close to its slot stays a window apart
 * from the send that will reuse its place in the robot's ring. A send later than that (a stalled event loop) could
 * land inside that window, which on DingTalk means a 10-minute block, so the slot is given up instead.
 */
export const LATE_SLOT_MS = 1500;
