import type { LogFields, Logger } from '../../functions/ports.ts';

/** One line a function-side logger wrote (or a rig noted beside them, with a level of its own). */
export interface LogLine {
  level: string;
  message: string;
  fields: LogFields;
}

/** A function-side logger that appends every line, debug included, to `lines`. */
export function recordingLogger(lines: LogLine[]): Logger {
  const at =
    (level: keyof Logger) =>
    (message: string, fields: LogFields = {}) =>
      void lines.push({ level, message, fields });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
