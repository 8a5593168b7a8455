// The process logger: pino, JSON lines on stderr (stdout is for user-facing output).

import { pino, type Logger } from 'pino';

export function createLogger(level = 'info'): Logger {
  return pino({ level, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: false }));
}
