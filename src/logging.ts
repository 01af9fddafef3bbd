/** JSON-lines logging: pino, synchronous to stdout, ISO timestamps, level names, no transports. */
import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

export function createLogger(options: { job: string; level: LogLevel; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { job: options.job },
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Type, message, stack and the whole `cause` chain; for SDK errors also `$metadata`
      // (HTTP status, request id, attempts) and `$fault`.
      serializers: { err: pino.stdSerializers.errWithCause },
    },
    options.destination ?? pino.destination({ fd: 1, sync: true }),
  );
}
