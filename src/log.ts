// Structured logging: one pino root logger, a child per component.

import pino from 'pino';

export type Logger = pino.Logger;

const LEVELS: Record<string, string> = {
  debug: 'debug',
  verbose: 'debug',
  notice: 'info',
  warning: 'warn',
};

/**
 * Root logger: JSON lines to stdout, or to `file` when given (Redis's `logfile`). Writes are
 * synchronous: the node logs rarely (never per command), and a line written just before
 * process.exit — a start-up failure, the last shutdown line — must not be lost.
 */
export function createLogger(loglevel: string, file: string): Logger {
  const level = LEVELS[loglevel] ?? 'info';
  const dest = file ? pino.destination({ dest: file, sync: true, mkdir: true }) : pino.destination({ dest: 1, sync: true });
  return pino({ level, base: { pid: process.pid } }, dest);
}

/** Maps a Redis loglevel onto pino's. */
export function pinoLevel(loglevel: string): string {
  return LEVELS[loglevel] ?? 'info';
}
