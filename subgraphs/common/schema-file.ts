import { readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { parse, type DocumentNode } from 'graphql';

// Compiled code runs from dist/subgraphs/common, sources (tests) from subgraphs/common;
// either way the SDL is read from the repository's schema/ folder, its source of truth.
const ROOT = __dirname.includes(`${sep}dist${sep}`) ? join(__dirname, '..', '..', '..') : join(__dirname, '..', '..');
export const SCHEMA_DIR = join(ROOT, 'schema');

export function readSchemaFile(name: string): string {
  return readFileSync(join(SCHEMA_DIR, name), 'utf8');
}

export function parseSchemaFile(name: string): DocumentNode {
  return parse(readSchemaFile(name));
}
