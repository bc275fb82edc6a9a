import { SOURCE_MODULES } from '../connectors/sources';

/**
 * Every subgraph schema declares the `SourceKind` enum (federation composes the copies, which
 * must agree); its values are the registry's kinds (connectors/sources.ts). `modelgraph
 * compose` writes them into each schema file and `compose --check` fails while one is stale,
 * so the checked-in SDL stays what Apollo and Hive compose, with no build-time assembly.
 */

const ENUM_BLOCK = /^enum SourceKind \{\n[^}]*\}$/m;

/** The enum as the registry says it, in the registry's order. */
export function sourceKindEnumSdl(): string {
  return `enum SourceKind {\n${SOURCE_MODULES.map((m) => `  ${m.kind}\n`).join('')}}`;
}

/** The schema with its `SourceKind` enum replaced by the registry's; throws when it has none. */
export function withRegistrySourceKinds(sdl: string, file: string): string {
  if (!ENUM_BLOCK.test(sdl)) throw new Error(`${file} declares no \`enum SourceKind { ... }\` block`);
  return sdl.replace(ENUM_BLOCK, sourceKindEnumSdl());
}

/** The `SourceKind` values a schema declares, in its order. */
export function declaredSourceKinds(sdl: string): string[] {
  const block = ENUM_BLOCK.exec(sdl)?.[0];
  if (!block) return [];
  return block
    .split('\n')
    .slice(1, -1)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('"') && !line.startsWith('#'));
}
