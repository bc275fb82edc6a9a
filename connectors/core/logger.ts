export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

type LogFn = (msg: string, fields?: Record<string, unknown>) => void;

export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  /** A logger that adds `bindings` to every line, e.g. `{ source: 'mlflow:prod' }`. */
  child(bindings: Record<string, unknown>): Logger;
}

export interface CreateLoggerOptions {
  /** Lines below this level are dropped. Default: 'info'. */
  level?: LogLevel;
  /** Fields added to every line. Default: none. */
  bindings?: Record<string, unknown>;
  /**
   * Receives each line (one JSON object, no trailing newline).
   * Default: writes the line and a newline to stderr, keeping stdout free for CLI output.
   */
  write?: (line: string) => void;
}

const SEVERITY: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: Infinity };

/**
 * Keys whose values are never written, whatever the caller passes. Matching by name is a
 * safety net for the field someone adds later (`headers`, `config`); the HTTP client also
 * keeps secrets out of what it logs in the first place.
 */
const SECRET_KEY = /authorization|token|password|passwd|secret|api[-_]?key|cookie|credential/i;

export const REDACTED = '[REDACTED]';

/** Bounds the walk so that a huge or deeply nested field cannot stall the process. */
const MAX_DEPTH = 6;

/**
 * Structured JSON-lines logger: `{time, level, msg, ...bindings, ...fields}`.
 *
 * Deliberately tiny (no transport, no formatting) so that connectors and tests do not
 * depend on a logging library; the gateway can adapt its own logger to this interface.
 */
export function createLogger(opts: CreateLoggerOptions = {}): Logger {
  const threshold = SEVERITY[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const make = (bindings: Record<string, unknown>): Logger => {
    const log =
      (level: Exclude<LogLevel, 'silent'>): LogFn =>
      (msg, fields) => {
        if (SEVERITY[level] < threshold) return;
        const record = { time: new Date().toISOString(), level, msg, ...bindings, ...fields };
        let line: string;
        try {
          line = JSON.stringify(sanitize(record, 0, new WeakSet()));
        } catch {
          // A logging call must never throw into the code that logs (e.g. a BigInt field).
          line = JSON.stringify({ time: record.time, level, msg, logError: 'unserialisable fields' });
        }
        write(line);
      };
    return {
      debug: log('debug'),
      info: log('info'),
      warn: log('warn'),
      error: log('error'),
      child: (more) => make({ ...bindings, ...more }),
    };
  };
  return make({ ...opts.bindings });
}

function sanitize(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (value === null || typeof value !== 'object') {
    return typeof value === 'bigint' ? value.toString() : value;
  }
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  seen.add(value);
  if (value instanceof Error) {
    // Never an error's object-valued properties: axios' `config` and `request` are where
    // request headers hide.
    // Own scalar fields (code, status, source) are kept; objects are not.
    const out: Record<string, unknown> = { name: value.name, message: value.message };
    for (const [key, item] of Object.entries(value)) {
      if (item === null || ['string', 'number', 'boolean'].includes(typeof item)) {
        out[key] = SECRET_KEY.test(key) ? REDACTED : item;
      }
    }
    return out;
  }
  if (Array.isArray(value)) return value.map((item) => sanitize(item, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) ? REDACTED : sanitize(item, depth + 1, seen);
  }
  return out;
}

/** Drops everything; the default wherever a logger is optional. */
export const silentLogger: Logger = createLogger({ level: 'silent', write: () => undefined });
