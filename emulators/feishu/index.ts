/**
 * A loopback emulator of Feishu/Lark custom robots: body signatures, keywords, sizes, msg_types, mentions, and the
 * 5-a-second and 100-a-minute limits. Product code: `npm start`, the bench and tests use it.
 */
export {
  startFeishuEmulator,
  type FeishuEmulator,
  type FeishuEmulatorOptions,
  type FeishuRobot,
  type FeishuRecordedMessage,
} from './server.ts';
