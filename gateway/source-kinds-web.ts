import { join } from 'node:path';
import { SOURCE_MODULES } from '../connectors/sources';
import { SCHEMA_DIR } from '../subgraphs/common/schema-file';

/**
 * The web app's table of source kinds (label, capabilities), written from the sources registry
 * by `modelgraph compose` like each schema's `SourceKind` enum: the browser bundle cannot import
 * the connectors, and a hand-written copy would miss the next source. `compose --check` fails
 * while the checked-in file differs.
 */

// Beside schema/ in the repository, whether run from the sources or from dist/.
export const WEB_SOURCE_KINDS_PATH = join(SCHEMA_DIR, '..', 'web', 'src', 'generated', 'source-kinds.ts');

export function webSourceKindsModule(): string {
  const rows = SOURCE_MODULES.map(
    (m) => `  { kind: '${m.kind}', label: '${m.label.replace(/'/g, "\\'")}', capabilities: [${m.capabilities.map((c) => `'${c}'`).join(', ')}] },\n`,
  ).join('');
  return (
    '// Written by `modelgraph compose` from the sources registry (connectors/sources.ts): do not edit.\n' +
    '// `npm run compose` rewrites it; `compose --check` fails while it is stale.\n\n' +
    `export type SourceCapability = ${[...new Set(SOURCE_MODULES.flatMap((m) => m.capabilities))].map((c) => `'${c}'`).join(' | ')};\n\n` +
    'export interface SourceKindInfo {\n  kind: string;\n  /** The product name as people write it. */\n  label: string;\n  capabilities: readonly SourceCapability[];\n}\n\n' +
    '/** Every source kind, in the registry\'s order. */\n' +
    `export const SOURCE_KINDS: readonly SourceKindInfo[] = [\n${rows}];\n`
  );
}
