/** The loopback HTTP server under every chat-platform emulator. */
export {
  startJsonServer,
  parseObject,
  type JsonServer,
  type EmulatorRequest,
  type EmulatorReply,
  type EmulatorHandler,
} from './server.ts';
