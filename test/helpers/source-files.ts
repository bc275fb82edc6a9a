import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository's root, which the paths below are relative to. */
export const REPO_ROOT = resolve(__dirname, '..', '..');

/** Every file under `dir` (repository-relative) whose name matches `name`, as repository-relative paths. */
export function sourceFiles(dir: string, name: RegExp = /\.ts$/): string[] {
  return readdirSync(join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path, name);
    return name.test(entry.name) ? [path] : [];
  });
}
