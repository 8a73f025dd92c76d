/** The forwarder's flags (mirrored by environment variables) and their validation. */
export {
  ConfigError,
  DEFAULT_SEND_CONCURRENCY,
  forwarderOptions,
  parseForwarderConfig,
  parseListen,
} from './config.ts';
export type { ForwarderConfig, RawForwarderOptions } from './config.ts';
export { parseDuration } from './duration.ts';
export { parseSize } from './size.ts';
