/**
 * A loopback emulator of DingTalk custom robots: signatures, keywords, sizes, msgtypes, mentions that really fire,
 * and the 20-a-minute limit with its 10-minute block. Product code: `npm start`, the bench and tests use it.
 */
export {
  startDingtalkEmulator,
  type DingtalkEmulator,
  type DingtalkEmulatorOptions,
  type DingtalkRecordedMessage,
} from './server.ts';
export type { SecuredRobot as DingtalkRobot } from '../chat-robot/index.ts';
