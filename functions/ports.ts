/**
 * The function's ports: the one logger and the one clock every part of the Lambda side takes, so the handler,
 * the pipeline and the WeCom client write to the same log (CloudWatch in Lambda, the console under `npm start`,
 * a recorder in tests) and read the same time.
 */

/** The fields of a structured log line. */
export type LogFields = Record<string, unknown>;

/** Structured logging, message first and fields second (the order of Powertools' logger, which the Lambda uses). */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Logs nothing: the default of library code (the WeCom client), so it never writes to stdout on its own. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** Milliseconds since the epoch; injected so tests pin time. */
export type Clock = () => number;

/** Waits `ms` milliseconds; injected so tests never really sleep. */
export type Sleep = (ms: number) => Promise<void>;

/** How a log line names an error it caught: its class and message, so a reason reads the same in every module. */
export function errorReason(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
