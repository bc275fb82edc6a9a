import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { explainParseError, wantsHelp } from '../../cli/args';
import { didYouMean, editDistance } from '../../cli/did-you-mean';
import { COMMANDS } from '../../cli/help';

/** The real command, as a user runs it (built by `npm test`'s pretest step). */
const BIN = join(__dirname, '..', '..', 'bin', 'modelgraph.js');

function run(args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function parseError(args: string[], options: Parameters<typeof explainParseError>[2], allowPositionals = false): unknown {
  try {
    parseArgs({ args, options, strict: true, allowPositionals });
  } catch (err) {
    return err;
  }
  throw new Error(`${args.join(' ')} parsed`);
}

describe('did you mean', () => {
  it('counts a swapped pair as one edit', () => {
    expect(editDistance('reconcile', 'reconclie')).toBe(1);
    expect(editDistance('fail-on', 'failon')).toBe(1);
    expect(editDistance('abc', 'xyz')).toBe(3);
  });

  it('suggests the nearest known word, and nothing when none is near or two are as near', () => {
    expect(didYouMean('--failon', ['--fail-on', '--format', '--rule'])).toBe('--fail-on');
    expect(didYouMean('--fail_on', ['--fail-on', '--format'])).toBe('--fail-on');
    expect(didYouMean('reconcil', Object.keys(COMMANDS))).toBe('reconcile');
    expect(didYouMean('--frob', ['--fail-on', '--format', '--rule'])).toBeUndefined();
    expect(didYouMean('ab', ['ac', 'ad'])).toBeUndefined();
  });
});

describe('parse errors', () => {
  it('suggest the option meant, and point to the command help', () => {
    const message = explainParseError(parseError(['--failon', 'high'], COMMANDS.reconcile.options), 'reconcile', COMMANDS.reconcile.options);
    expect(message).toBe("Unknown option '--failon'; did you mean --fail-on? (modelgraph reconcile --help lists the options)");
  });

  it("drop Node's hint on positionals starting with '-'", () => {
    const err = parseError(['r.graphql', '--formt', 'csv'], COMMANDS.report.options, true);
    expect((err as Error).message).toContain('To specify a positional argument');
    expect(explainParseError(err, 'report', COMMANDS.report.options)).toBe(
      "Unknown option '--formt'; did you mean --format? (modelgraph report --help lists the options)",
    );
  });

  it('keep the other errors, without a suggestion', () => {
    const message = explainParseError(parseError(['--port'], COMMANDS.serve.options), 'serve', COMMANDS.serve.options);
    expect(message).toBe("Option '-p, --port <value>' argument missing (modelgraph serve --help lists the options)");
  });

  it('find --help and -h before a --', () => {
    expect(wantsHelp(['--fail-on', 'high', '-h'])).toBe(true);
    expect(wantsHelp(['--help'])).toBe(true);
    expect(wantsHelp(['--', '--help'])).toBe(false);
    expect(wantsHelp(['--fail-on', 'high'])).toBe(false);
  });
});

describe('command help', () => {
  it.each(Object.entries(COMMANDS))('%s lists every option it parses, a default for each, and an example', (name, { options, help }) => {
    expect(help).toMatch(new RegExp(`^Usage: modelgraph ${name}\\b`));
    expect(help).toMatch(/\nExamples?:\n {2}modelgraph /);
    for (const [option, spec] of Object.entries(options)) {
      const line = help.split('\n').find((l) => new RegExp(`^ {2}(-\\w, )?--${option}\\b`).test(l));
      expect({ option, line }).toEqual({ option, line: expect.any(String) });
      if ('default' in spec && typeof spec.default === 'string') expect({ option, line }).toEqual({ option, line: expect.stringContaining(`default: ${spec.default}`) });
    }
    expect(help).toContain('-h, --help');
  });
});

describe('modelgraph <command> --help', () => {
  it.each([
    ['report', '--help'],
    ['reconcile', '-h'],
    ['serve', '--help'],
    ['start', '--help'],
  ])('%s %s prints the command help on stdout and exits 0', (command, flag) => {
    const result = run([command, flag]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(COMMANDS[command === 'start' ? 'serve' : (command as keyof typeof COMMANDS)].help);
  });

  it('suggests the option meant, and exits 2', () => {
    const result = run(['reconcile', '--failon', 'high']);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe("modelgraph: Unknown option '--failon'; did you mean --fail-on? (modelgraph reconcile --help lists the options)\n");
  });

  it('suggests the command meant, and exits 2', () => {
    const result = run(['reconcil']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^modelgraph: unknown command "reconcil"; did you mean "reconcile"\?\n/);
  });

  it('lists start and the exit codes in the general help', () => {
    const result = run(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('`modelgraph start`');
    expect(result.stdout).toMatch(/Exit codes: 0 success; 1 [^;]*; 2 bad usage/s);
  });
});
