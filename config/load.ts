import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ModelgraphError } from '../connectors/core/errors';
import { SOURCE_MODULES } from '../connectors/sources';
import { configSchema, SUBGRAPH_NAMES, type ModelgraphConfig } from './schema';

/** A configuration problem: the message names the file and the key. */
export class ConfigError extends ModelgraphError {
  override readonly name = 'ConfigError';
  constructor(message: string, options?: ErrorOptions) {
    super('CONFIG_INVALID', message, options);
  }
}

export interface LoadConfigOptions {
  /** Path of a YAML or JSON file; without one the configuration is all defaults. */
  path?: string;
  /** The environment used for `${VAR}` interpolation and overrides (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Reads, interpolates and validates the configuration once, at start-up.
 *
 * Secrets stay out of the file: any string may be `${VAR}` or `${VAR:-default}`, resolved
 * from the environment. `PORT`, `MODELGRAPH_METRICS_PORT`, `REDIS_URL`, `LOG_LEVEL`, `MODELGRAPH_SUBGRAPH_SECRET` and `MODELGRAPH_SUBGRAPH_<NAME>_URL` override the file, as twelve-factor
 * deployments expect.
 */
export function loadConfig(options: LoadConfigOptions = {}): ModelgraphConfig {
  const env = options.env ?? process.env;
  let raw: unknown = {};
  const where = options.path ?? '(defaults)';
  if (options.path) {
    let text: string;
    try {
      text = readFileSync(options.path, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read config file ${options.path}: ${(err as Error).message}`);
    }
    try {
      // YAML 1.2 is a superset of JSON, so one parser reads both.
      raw = parseYaml(text) ?? {};
    } catch (err) {
      throw new ConfigError(`${options.path}: not valid YAML or JSON: ${(err as Error).message}`);
    }
    if (typeof raw !== 'object' || Array.isArray(raw)) {
      throw new ConfigError(`${options.path}: the top level must be a mapping of keys`);
    }
  }
  // Every unset variable at once: one run tells what to export, not one run per variable.
  const unset: string[] = [];
  raw = interpolate(raw, [], env, unset);
  if (unset.length > 0) {
    throw new ConfigError(
      `${where}: ${unset.length === 1 ? 'an environment variable is' : `${unset.length} environment variables are`} not set ` +
        `(export ${unset.length === 1 ? 'it' : 'them'}, or give a default: \${VAR:-default}):\n  ${unset.join('\n  ')}`,
    );
  }
  raw = applyEnvOverrides(raw as Record<string, unknown>, env, where);

  const result = configSchema.safeParse(raw, { error: plainMessage });
  if (!result.success) throw new ConfigError(formatIssues(where, result.error.issues));
  return result.data;
}

/** Resolves `${VAR}` and `${VAR:-default}`; each unset variable without a default goes to `unset`. */
function interpolate(value: unknown, path: PropertyKey[], env: NodeJS.ProcessEnv, unset: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (match, name: string, fallback?: string) => {
      const found = env[name];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      unset.push(`${formatPath(path)}: environment variable ${name} is not set`);
      return match;
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => interpolate(item, [...path, i], env, unset));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolate(item, [...path, key], env, unset)]),
    );
  }
  return value;
}

/** The types a configuration value can be, as a person reads them. */
const PLAIN_TYPE: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (key: value)',
};

/** What YAML made of the value, quoted where it is short: `the text "8080"`, `a list`, `null`. */
function describeValue(input: unknown): string {
  if (input === null) return 'nothing (null)';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'string') return input.length <= 40 ? `the text ${JSON.stringify(input)}` : 'text';
  if (typeof input === 'number' || typeof input === 'boolean') return `${typeof input === 'number' ? 'the number' : ''} ${String(input)}`.trim();
  return typeof input === 'object' ? 'a mapping' : typeof input;
}

/**
 * zod says "Invalid input: expected string, received undefined" of a key that is missing,
 * "expected number, received string" of a wrong type, and quotes and pipes the allowed
 * values; the person editing the file needs "required", "must be a number, got the text
 * "8080"" and "must be one of a, b, got c". Other issues keep zod's (or the schema's own) words.
 */
function plainMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'required';
  if (issue.code === 'invalid_type' && PLAIN_TYPE[issue.expected]) return `must be ${PLAIN_TYPE[issue.expected]}, got ${describeValue(issue.input)}`;
  if (issue.code === 'invalid_value' && issue.values.length > 1) {
    return `must be one of ${issue.values.map(String).join(', ')}, got ${JSON.stringify(issue.input)}`;
  }
  return undefined;
}

function applyEnvOverrides(raw: Record<string, unknown>, env: NodeJS.ProcessEnv, where: string): Record<string, unknown> {
  const out = { ...raw };
  if (env.PORT !== undefined && env.PORT !== '') {
    const port = Number(env.PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new ConfigError(`${where}: PORT: must be a port number, got "${env.PORT}"`);
    }
    out.server = { ...(out.server as object | undefined), port };
  }
  if (env.MODELGRAPH_METRICS_PORT !== undefined && env.MODELGRAPH_METRICS_PORT !== '') {
    const port = Number(env.MODELGRAPH_METRICS_PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new ConfigError(`${where}: MODELGRAPH_METRICS_PORT: must be a port number, got "${env.MODELGRAPH_METRICS_PORT}"`);
    }
    const server = (out.server ?? {}) as Record<string, unknown>;
    out.server = { ...server, metrics: { ...(server.metrics as object | undefined), port } };
  }
  if (env.REDIS_URL) out.cache = { ...(out.cache as object | undefined), redisUrl: env.REDIS_URL };
  // Validated by the schema like the file's value, so a typo names the key.
  if (env.LOG_LEVEL) out.logLevel = env.LOG_LEVEL;
  if (env.MODELGRAPH_SUBGRAPH_SECRET) {
    out.server = { ...(out.server as object | undefined), subgraphSecret: env.MODELGRAPH_SUBGRAPH_SECRET };
  }
  for (const name of SUBGRAPH_NAMES) {
    const url = env[`MODELGRAPH_SUBGRAPH_${name.toUpperCase()}_URL`];
    if (url) out.subgraphs = { ...(out.subgraphs as object | undefined), [name]: url };
  }
  return out;
}

function formatIssues(where: string, issues: readonly z.core.$ZodIssue[]): string {
  const lines = issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      // Under `sources`, the kinds there are: the commonest slip is a kind modelgraph has not got.
      const kinds = issue.path.length === 1 && issue.path[0] === 'sources' ? ` (source kinds: ${SOURCE_MODULES.map((m) => m.configKey).join(', ')})` : '';
      return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown key${kinds}`).join('\n  ');
    }
    return `${formatPath(issue.path)}: ${issue.message}`;
  });
  return `invalid configuration in ${where}:\n  ${lines.join('\n  ')}`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}
