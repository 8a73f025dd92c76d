/**
 * A loopback emulator of Feishu/Lark custom robots: body signatures, keywords, sizes, msg_types, mentions, and the
 * 5-a-second and 100-a-minute limits. Product code: `npm start`, the bench and tests use it.
 */
export {
  startFeishuEmulator,
  type FeishuEmulator,
  type FeishuEmulatorOptions,
  type FeishuRecordedMessage,
} from './server.ts';
export type { SecuredRobot as FeishuRobot } from '../chat-robot/index.ts';
