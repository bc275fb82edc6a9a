#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * `npm run codegen:check`: fails when the checked-in typed documents (codegen.ts's outputs,
 * client/generated/ and web/src/gql/) are not what `npm run codegen` would write now from
 * schema/public.graphql and the operations, naming each stale file.
 *
 * It runs the generator in memory with the project's own codegen.ts, writes nothing, and
 * compares byte for byte; an operation that no longer validates against the schema fails too,
 * with the generator's message. Plain JavaScript so that it runs without a build, as CI runs
 * it right after `compose --check`.
 *
 *   node scripts/codegen-check.js [--against DIR]
 *
 * --against compares the files under DIR instead of the repository (for its own test).
 * Exit 0 when current, 1 when stale or when generation fails.
 */
const { readFileSync, readdirSync, statSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { parseArgs } = require('node:util');

const ROOT = resolve(__dirname, '..');

/**
 * @param {string} against the folder holding the checked-in outputs
 * @returns {Promise<string[]>} one line per stale file, empty when all are current
 */
async function staleFiles(against) {
  const { loadContext, executeCodegen } = require('@graphql-codegen/cli');
  // Paths in codegen.ts are relative to the repository, as `npm run codegen` runs there.
  process.chdir(ROOT);
  const context = await loadContext(join(ROOT, 'codegen.ts'));
  context.updateConfig({ silent: true });
  const { result, error } = await executeCodegen(context);
  if (error) throw error;

  const problems = [];
  const generated = new Set();
  for (const file of result) {
    generated.add(file.filename);
    let current;
    try {
      current = readFileSync(join(against, file.filename), 'utf8');
    } catch {
      problems.push(`${file.filename} is missing`);
      continue;
    }
    if (current !== file.content) problems.push(`${file.filename} is stale`);
  }
  // A file the generator no longer writes would otherwise linger, still importable.
  for (const output of Object.keys(context.getConfig().generates)) {
    if (!output.endsWith('/')) continue;
    for (const name of listFiles(join(against, output))) {
      const filename = output + name;
      if (!generated.has(filename)) problems.push(`${filename} is no longer generated`);
    }
  }
  // The outputs are generated concurrently: sorted, the message is the same every run.
  return problems.sort();
}

/** @param {string} dir */
function listFiles(dir) {
  try {
    return readdirSync(dir).filter((name) => statSync(join(dir, name)).isFile());
  } catch {
    return [];
  }
}

async function main() {
  const { values } = parseArgs({ options: { against: { type: 'string' } }, strict: true });
  const against = values.against ? resolve(values.against) : ROOT;
  let problems;
  try {
    problems = await staleFiles(against);
  } catch (err) {
    process.stderr.write(`codegen:check: generation failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  if (problems.length) {
    process.stderr.write(
      `codegen:check: the typed documents are out of date with schema/public.graphql or the operations:\n` +
        problems.map((p) => `  ${p}\n`).join('') +
        'run `npm run codegen` and commit the result\n',
    );
    return 1;
  }
  process.stdout.write('codegen:check: the typed documents are up to date\n');
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`codegen:check: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
