// The logger: plain interface for the core, one LogOutputChannel behind it in the extension.

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface Logger {
  error(message: string, error?: unknown): void;
  warn(message: string, error?: unknown): void;
  info(message: string): void;
  debug(message: string): void;
  /** A logger that prefixes every line with a component tag, e.g. `[completion]`. */
  child(component: string): Logger;
}

/** Where the lines go: the VS Code LogOutputChannel satisfies this shape. */
export interface LogSink {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

const ORDER: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** Errors are logged with their stack; secrets must never be passed in. */
export function formatError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

export function createLogger(sink: LogSink, level: () => LogLevel, tag = ''): Logger {
  const prefix = tag ? `[${tag}] ` : '';
  const on = (l: LogLevel) => ORDER[l] <= ORDER[level()];
  const withError = (message: string, error?: unknown) =>
    error === undefined ? prefix + message : `${prefix}${message}: ${formatError(error)}`;
  return {
    error: (m, e) => on('error') && sink.error(withError(m, e)),
    warn: (m, e) => on('warn') && sink.warn(withError(m, e)),
    info: (m) => on('info') && sink.info(prefix + m),
    debug: (m) => on('debug') && sink.debug(prefix + m),
    child: (component) => createLogger(sink, level, tag ? `${tag}/${component}` : component),
  };
}

/** For tests and pure code that needs a logger but has nowhere to write. */
export const silentLogger: Logger = {
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
  child: () => silentLogger,
};
