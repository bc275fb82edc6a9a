/**
 * Whether an approval ticket names a version: its number (`v4`, `version 4`), its model
 * version id, its id in the registry (an ARN, `model@4`) or its registry URL, in the summary,
 * the description or the configured version field. A ticket that names no version at all is
 * a model-level approval, which approves a version only when the settings accept those.
 */
import { escapeRegExp } from '../../../connectors/core/regexp';
import { mlflowVersionOf } from './production';
import type { GovernanceSettings, ModelFacts, TicketFact, VersionFact } from './types';

/** `v4`, `V 4`, `version 4`, `version: 4`, `ver. 4`, not `v41` or `v4.1`, nor `Q4`. */
function numberPattern(number: string): RegExp {
  return new RegExp(`(?:^|[^a-z0-9])(?:v|version|ver\\.?)\\s*[:#]?\\s*${escapeRegExp(number)}(?![0-9]|\\.[0-9])`, 'i');
}

/** Any version number, for telling a version's approval from a model-level one. */
const ANY_VERSION_NUMBER = /(?:^|[^a-z0-9])(?:v|version|ver\.?)\s*[:#]?\s*\d+/i;

/** `token` in `text` with no letter or digit glued to either side (`.../models/1` is not in `.../models/12`). */
function containsToken(text: string, token: string): boolean {
  if (token === '') return false;
  const hay = text.toLowerCase();
  const needle = token.toLowerCase();
  for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + 1)) {
    const before = at === 0 ? '' : hay[at - 1]!;
    const after = hay[at + needle.length] ?? '';
    if (!/[a-z0-9_]/.test(before) && !/[a-z0-9_]/.test(after)) return true;
  }
  return false;
}

function ticketText(t: TicketFact): string {
  return `${t.summary}\n${t.description ?? ''}`;
}

/** The identifiers that stand for `v`: its id, registry id and URL (numbers are matched apart). */
function identifiers(v: VersionFact): string[] {
  return [v.id, v.source.nativeId, v.source.url ?? ''].filter((s) => s.trim() !== '');
}

/** What a value (text, or one value of the version field) says of `v`, given the numbers that stand for it. */
function valueNames(value: string, numbers: readonly string[], versions: readonly VersionFact[]): boolean {
  if (numbers.some((n) => n !== '' && numberPattern(n).test(value))) return true;
  return versions.some((v) => identifiers(v).some((id) => containsToken(value, id)));
}

/**
 * The numbers and versions a ticket may name for `v`: a cloud version also by the MLflow
 * version it was uploaded from; an MLflow version also by its cloud copies' ids (whose
 * numbers are the same by construction, see `mlflowVersionOf`).
 */
function aliasesOf(v: VersionFact, model: ModelFacts): { numbers: string[]; versions: VersionFact[] } {
  if (v.typename === 'CloudModelVersion') {
    const mlflow = mlflowVersionOf(v);
    const origins = model.versions.filter((m) => m.typename === 'MlflowModelVersion' && m.version === mlflow);
    return { numbers: [...new Set([v.version, mlflow])], versions: [v, ...origins] };
  }
  const copies = model.versions.filter((c) => c.typename === 'CloudModelVersion' && mlflowVersionOf(c) === v.version);
  return { numbers: [v.version], versions: [v, ...copies] };
}

/** Whether the ticket names `v` (see the module comment). */
export function ticketNamesVersion(t: TicketFact, v: VersionFact, model: ModelFacts, settings: GovernanceSettings): boolean {
  const { numbers, versions } = aliasesOf(v, model);
  if (valueNames(ticketText(t), numbers, versions)) return true;
  if (settings.approval.versionField === null) return false;
  return (t.versionFieldValues ?? []).some((value) => numbers.includes(value.trim()) || valueNames(value, numbers, versions));
}

/** A ticket that names no version of any kind: it approves "the model". */
export function isModelLevelTicket(t: TicketFact, model: ModelFacts, settings: GovernanceSettings): boolean {
  if (settings.approval.versionField !== null && (t.versionFieldValues ?? []).some((v) => v.trim() !== '')) return false;
  const text = ticketText(t);
  if (ANY_VERSION_NUMBER.test(text)) return false;
  return !model.versions.some((v) => identifiers(v).some((id) => containsToken(text, id)));
}
