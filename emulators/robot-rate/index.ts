/** Rate windows and blocks per robot, shared by the chat-platform emulators. */
export { RobotRateLimit, type RobotRateOptions, type RateWindow, type Admission } from './rate-limit.ts';
