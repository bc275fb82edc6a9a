import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * `npm run codegen:check` (scripts/codegen-check.js), as CI runs it: the checked-in typed
 * documents are what the generator writes now, and a stale or missing one fails, named.
 */

const ROOT = join(__dirname, '..', '..');
const CHECK = join(ROOT, 'scripts', 'codegen-check.js');
const OUTPUTS = ['client/generated', 'web/src/gql'];

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [CHECK, ...args], { timeout: 30_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code?: number; stdout: string; stderr: string }) => ({ code: err.code ?? -1, stdout: err.stdout, stderr: err.stderr }),
  );
}

describe('codegen:check', () => {
  let copy: string;
  beforeEach(() => {
    copy = mkdtempSync(join(tmpdir(), 'modelgraph-codegen-'));
    for (const output of OUTPUTS) cpSync(join(ROOT, output), join(copy, output), { recursive: true });
  });
  afterEach(() => rmSync(copy, { recursive: true, force: true }));

  it('passes on the checked-in typed documents', async () => {
    await expect(run([])).resolves.toEqual({ code: 0, stdout: 'codegen:check: the typed documents are up to date\n', stderr: '' });
  });

  it('fails naming each stale, missing or leftover file', async () => {
    const typed = join(copy, 'client/generated/graphql.ts');
    writeFileSync(typed, readFileSync(typed, 'utf8').replace("'HIGH'", "'URGENT'"));
    rmSync(join(copy, 'web/src/gql/index.ts'));
    writeFileSync(join(copy, 'client/generated/old.ts'), 'export {};\n');

    const result = await run(['--against', copy]);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')).toEqual([
      'codegen:check: the typed documents are out of date with schema/public.graphql or the operations:',
      '  client/generated/graphql.ts is stale',
      '  client/generated/old.ts is no longer generated',
      '  web/src/gql/index.ts is missing',
      'run `npm run codegen` and commit the result',
      '',
    ]);
  });
});
