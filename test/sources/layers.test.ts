import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { REPO_ROOT, sourceFiles } from '../helpers/source-files';

/**
 * Layers point one way (gateway → subgraphs → connectors → core), and the configuration is
 * parsed at the top and handed down as plain typed options: these are read from the import
 * statements, so that a shortcut across layers fails here rather than in review.
 */

/** The repository-relative paths a file imports (relative specifiers only), type imports included. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(REPO_ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  return specifiers.map((s) => relative(REPO_ROOT, resolve(REPO_ROOT, dirname(file), s)).split(sep).join('/'));
}

function violations(dir: string, forbidden: readonly string[]): string[] {
  return sourceFiles(dir).flatMap((file) =>
    importsOf(file)
      .filter((target) => forbidden.some((f) => target === f || target.startsWith(`${f}/`)))
      .map((target) => `${file} imports ${target}`),
  );
}

describe('layers', () => {
  it('finds the imports it checks (the scan itself works)', () => {
    expect(importsOf('config/schema.ts')).toContain('connectors/sources');
    expect(importsOf('gateway/stack.ts')).toContain('config/schema');
  });

  it('no connector imports the configuration module, a subgraph or the gateway', () => {
    expect(violations('connectors', ['config', 'subgraphs', 'gateway', 'cli'])).toEqual([]);
  });

  it('core imports nothing above it: no product folder, no registry', () => {
    const outside = sourceFiles('connectors/core').flatMap((file) =>
      importsOf(file)
        .filter((target) => target.startsWith('connectors/') && !target.startsWith('connectors/core/'))
        .map((target) => `${file} imports ${target}`),
    );
    expect(outside).toEqual([]);
  });

  it('a kind\'s folder imports no other kind\'s folder, and its source module and client read its own limits.ts', () => {
    // Shared helpers live in core/, git/ and registry/; a client taking another kind's
    // limits.ts (or map) would drift from what its source module reports.
    const kindFolders = readdirSync(join(REPO_ROOT, 'connectors'), { withFileTypes: true })
      .filter((e) => e.isDirectory() && readdirSync(join(REPO_ROOT, 'connectors', e.name)).includes('source.ts'))
      .filter((e) => readFileSync(join(REPO_ROOT, 'connectors', e.name, 'source.ts'), 'utf8').includes('defineSource('))
      .map((e) => `connectors/${e.name}`);
    expect(kindFolders.length).toBeGreaterThanOrEqual(8);
    const crossing = kindFolders.flatMap((folder) =>
      violations(folder, kindFolders.filter((other) => other !== folder)),
    );
    expect(crossing).toEqual([]);
    for (const folder of kindFolders) {
      // Its source module reports the limits its client runs with: both read the folder's limits.ts.
      expect([folder, importsOf(`${folder}/source.ts`)]).toEqual([folder, expect.arrayContaining([`${folder}/limits`])]);
      expect([folder, importsOf(`${folder}/client.ts`)]).toEqual([folder, expect.arrayContaining([`${folder}/limits`])]);
    }
  });

  it('the configuration imports no subgraph and no gateway', () => {
    expect(violations('config', ['subgraphs', 'gateway', 'cli'])).toEqual([]);
  });
});
