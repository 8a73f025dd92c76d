/**
 * A loopback emulator of WeCom's application message API (`gettoken`, `message/send`): token expiry, the trusted-IP
 * refusal, msgtype and agent checks, content cut at 2048 bytes and a per-application rate. Product code.
 */
export {
  startWecomAppEmulator,
  type WecomAppEmulator,
  type WecomAppEmulatorOptions,
  type WecomApp,
  type WecomAppRecordedMessage,
} from './server.ts';
