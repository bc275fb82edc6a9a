import { identityTools, kindsInSlot, registryKinds, registryProfiles, SOURCE_KIND_VALUES } from '../connectors/sources';
import { escapeRegExp } from '../connectors/core/regexp';

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

/** The enums the registry decides, by name; every schema declares `SourceKind`, the others where it needs them. */
const DERIVED_ENUMS: Readonly<Record<string, () => readonly string[]>> = {
  SourceKind: () => SOURCE_KIND_VALUES,
  RegistryKind: () => registryKinds(),
  GitHost: () => kindsInSlot('gitHosts'),
  IdentityTool: () => identityTools(),
};

/** Values no source module describes, written with their description. */
const VALUE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  GIT: 'A commit author, known by the email in the commit (by its name when it records no email).',
};

const enumBlock = (name: string) => new RegExp(`^enum ${name} \\{\\n[^}]*\\}$`, 'm');

const DETAILS_START = "# Written by `modelgraph compose` from each registry's `detailsSdl` (connectors/<kind>/registry.ts): edit those.";
const DETAILS_END = "# End of the registries' version details.";
const DETAILS_BLOCK = new RegExp(`^${escapeRegExp(DETAILS_START)}\\n[\\s\\S]*?^${escapeRegExp(DETAILS_END)}$`, 'm');

/** The values of one of the enums the registry decides (`SourceKind`, `RegistryKind`, `GitHost`, `IdentityTool`), in the registry's order. */
export function derivedEnumValues(name: string): string[] {
  const values = DERIVED_ENUMS[name];
  if (!values) throw new Error(`${name} is not an enum the sources registry decides`);
  return [...values()];
}

/** That enum's SDL, as `modelgraph compose` writes it. */
export function derivedEnumSdl(name: string): string {
  const lines = derivedEnumValues(name).map((v) => (VALUE_DESCRIPTIONS[v] ? `  "${VALUE_DESCRIPTIONS[v]}"\n  ${v}\n` : `  ${v}\n`));
  return `enum ${name} {\n${lines.join('')}}`;
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
 * declare one; throws when it has none) and, where it declares them, the other derived enums
 * and the marked version-details block.
 */
export function withRegistrySourceKinds(sdl: string, file: string): string {
  if (!enumBlock('SourceKind').test(sdl)) throw new Error(`${file} declares no \`enum SourceKind { ... }\` block`);
  let out = sdl;
  for (const name of Object.keys(DERIVED_ENUMS)) out = out.replace(enumBlock(name), () => derivedEnumSdl(name));
  return out.replace(DETAILS_BLOCK, () => versionDetailsSdl());
}

/** The `SourceKind` values a schema declares, in its order. */
export function declaredSourceKinds(sdl: string): string[] {
  return declaredEnumValues(sdl, 'SourceKind');
}

/** The values of enum `name` a schema declares, in its order; [] when it declares none. */
export function declaredEnumValues(sdl: string, name: string): string[] {
  const block = enumBlock(name).exec(sdl)?.[0];
  if (!block) return [];
  return block
    .split('\n')
    .slice(1, -1)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('"') && !line.startsWith('#'));
}
