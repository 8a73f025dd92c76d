import type { Logger as PinoLogger } from 'pino';

/** The logging calls the forwarder makes (pino's signature: an object of fields, then a message). */
export type Logger = Pick<PinoLogger, 'debug' | 'info' | 'warn' | 'error'>;
