/**
 * What every command does with its command line before its own checks: `--help`, and
 * node:util parseArgs errors worded for the person who typed them (a "did you mean" for a
 * mistyped option, the way to the command's help, none of Node's hints that do not apply).
 */
import type { parseArgs } from 'node:util';
import { didYouMean } from './did-you-mean';

export type ParseArgsOptionsConfig = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>;

/** `--help` or `-h` anywhere before a `--`. */
export function wantsHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

/** parseArgs' error for `modelgraph <command>`, reworded; `options` are the command's own. */
export function explainParseError(err: unknown, command: string, options: ParseArgsOptionsConfig): string {
  const error = err as NodeJS.ErrnoException;
  const help = `(modelgraph ${command} --help lists the options)`;
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /Unknown option '([^']+)'/.exec(error.message)?.[1] ?? '';
    const known = Object.keys(options).map((name) => `--${name}`);
    const suggestion = option.startsWith('--') ? didYouMean(option.split('=')[0]!, known) : undefined;
    return `Unknown option '${option}'${suggestion ? `; did you mean ${suggestion}?` : ''} ${help}`;
  }
  // Node's hint on positionals that start with '-' fits no modelgraph command.
  return `${error.message.split('. To specify a positional argument')[0]} ${help}`;
}
