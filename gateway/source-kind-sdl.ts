import { registryKinds, registryProfiles, SOURCE_MODULES } from '../connectors/sources';

/**
 * The parts of the subgraph schemas the sources registry (connectors/sources.ts) decides:
 * - every schema's `SourceKind` enum (federation composes the copies, which must agree): the
 *   registry's kinds;
 * - `IdentityTool` wherever declared: each module's identity tool, and GIT;
 * - the git schema's `GitHost` enum: the kinds of the git hosts;
 * - the registries schema's `RegistryKind` enum: the kinds that subgraph serves (cloud registries);
 * - its `CloudVersionDetails` union and member types: each registry's `detailsSdl`, declared
 *   in its folder (`connectors/<kind>/registry.ts`).
 * `modelgraph compose` writes them into the schema files and `compose --check` fails while
 * one is stale, so the checked-in SDL stays what Apollo and Hive compose and read.
 */

const enumBlock = (name: string) => new RegExp(`^enum ${name} \\{\\n[^}]*\\}$`, 'm');
const ENUM_BLOCK = enumBlock('SourceKind');

/** A commit author: the identity tool no source module declares (the git subgraph reads commits). */
const GIT_TOOL = '"A commit author, known by the email in the commit (by its name when it records no email)."\n  GIT';

/** The enums besides `SourceKind` the registry decides, where a schema declares them. */
const DERIVED_ENUMS: ReadonlyArray<{ name: string; values: () => string[] }> = [
  { name: 'RegistryKind', values: () => registryKinds() },
  { name: 'GitHost', values: () => SOURCE_MODULES.filter((m) => m.slot === 'gitHosts').map((m) => m.kind) },
  {
    name: 'IdentityTool',
    values: () => [...new Set(SOURCE_MODULES.flatMap((m) => (m.identityTool ? [m.identityTool as string] : []))), GIT_TOOL],
  },
];
const DETAILS_START = "# Written by `modelgraph compose` from each registry's `detailsSdl` (connectors/<kind>/registry.ts): edit those.";
const DETAILS_END = "# End of the registries' version details.";
const DETAILS_BLOCK = new RegExp(`^${escape(DETAILS_START)}\\n[\\s\\S]*?^${escape(DETAILS_END)}$`, 'm');

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function enumSdl(name: string, values: readonly string[]): string {
  return `enum ${name} {\n${values.map((v) => `  ${v}\n`).join('')}}`;
}

/** The enum as the registry says it, in the registry's order. */
export function sourceKindEnumSdl(): string {
  return enumSdl('SourceKind', SOURCE_MODULES.map((m) => m.kind));
}

/** `RegistryKind`: the kinds the registries subgraph serves, in the registry's order. */
export function registryKindEnumSdl(): string {
  return enumSdl('RegistryKind', registryKinds());
}

/** The values of one of the enums the registry decides (`SourceKind`, `RegistryKind`, `GitHost`, `IdentityTool`). */
export function derivedEnumValues(name: string): string[] {
  if (name === 'SourceKind') return SOURCE_MODULES.map((m) => m.kind);
  const derived = DERIVED_ENUMS.find((d) => d.name === name);
  if (!derived) throw new Error(`${name} is not an enum the sources registry decides`);
  return derived.values().map((v) => v.split('\n').at(-1)!.trim());
}

/** The `CloudVersionDetails` union and each registry's member type, between their markers. */
export function versionDetailsSdl(): string {
  const profiles = registryProfiles();
  return [
    DETAILS_START,
    `union CloudVersionDetails = ${profiles.map((p) => p.detailsType).join(' | ')}`,
    ...profiles.map((p) => `\n${p.detailsSdl.trim()}`),
    DETAILS_END,
  ].join('\n');
}

/**
 * The schema with the registry's parts in place: its `SourceKind` enum (every schema must
 * declare one; throws when it has none) and, where it declares them, `RegistryKind` and the
 * marked version-details block.
 */
export function withRegistrySourceKinds(sdl: string, file: string): string {
  if (!ENUM_BLOCK.test(sdl)) throw new Error(`${file} declares no \`enum SourceKind { ... }\` block`);
  let out = sdl.replace(ENUM_BLOCK, sourceKindEnumSdl());
  for (const derived of DERIVED_ENUMS) {
    const block = enumBlock(derived.name);
    if (block.test(out)) out = out.replace(block, () => enumSdl(derived.name, derived.values()));
  }
  if (DETAILS_BLOCK.test(out)) out = out.replace(DETAILS_BLOCK, () => versionDetailsSdl());
  return out;
}

/** The `SourceKind` values a schema declares, in its order. */
export function declaredSourceKinds(sdl: string): string[] {
  return enumValues(ENUM_BLOCK.exec(sdl)?.[0]);
}

/** The `RegistryKind` values a schema declares, in its order. */
export function declaredRegistryKinds(sdl: string): string[] {
  return declaredEnumValues(sdl, 'RegistryKind');
}

/** The values of enum `name` a schema declares, in its order; [] when it declares none. */
export function declaredEnumValues(sdl: string, name: string): string[] {
  return enumValues(enumBlock(name).exec(sdl)?.[0]);
}

function enumValues(block: string | undefined): string[] {
  if (!block) return [];
  return block
    .split('\n')
    .slice(1, -1)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('"') && !line.startsWith('#'));
}
