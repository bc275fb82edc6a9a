import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ModelgraphError } from '../../connectors/core/errors';
import type { IdentityTool, PersonIdentity } from '../../connectors/core/graph';
import { identityTools } from '../../connectors/sources';

/**
 * One person across tools. Every subgraph that emits a person (an MLflow run's user, a
 * Jira assignee, a commit author, a GitHub login) turns the tool's identity into a `Person`
 * reference here, so the same human gets the same id whichever tool named them.
 *
 * A person's id is their normalised email. Tools that hide emails (Jira Cloud account
 * ids, GitHub logins, bare MLflow user names) are tied to a person by the aliases file;
 * an identity nobody can tie to an email keeps an id of its own, `<tool>:<instance>:<id>`,
 * rather than being guessed into someone else. Display names never decide identity: two
 * "Alex Kim"s stay two people.
 */

export interface PersonRecord {
  id: string;
  email: string | null;
  displayName: string | null;
  /** Every identity known to belong to the person (from the aliases file, or the id itself). */
  identities: PersonIdentity[];
}

/** The sources' identity tools (connectors/sources.ts), and git's commit authors, which any git host's commits carry. */
const TOOLS: readonly IdentityTool[] = identityTools();
const TOOL_NAMES = TOOLS.map((tool) => tool.toLowerCase());
const IDENTITY = new RegExp(`^(${TOOL_NAMES.join('|')}):[^:\\s]+:\\S.*$`, 'i');

/**
 * The aliases file:
 * ```yaml
 * people:
 *   - email: elena.nguyen@acme.io
 *     name: Elena Nguyen
 *     identities:
 *       - jira:corp:557058:f1d3c2b1-...   # tool:instance:native id (the id may hold colons)
 *       - github:*:enguyen                # * = any instance of that tool
 *       - git:*:elena.n@gmail.com         # another email she commits with
 * ```
 */
const aliasesSchema = z
  .object({
    people: z.array(
      z
        .object({
          email: z.string().regex(/^[^@\s]+@[^@\s]+$/, 'must be an email address'),
          name: z.string().min(1).optional(),
          identities: z
            .array(
              z
                .string()
                .regex(IDENTITY, `must be <tool>:<instance or *>:<id>, tool one of ${TOOL_NAMES.join(', ')}`),
            )
            .default([]),
        })
        .strict(),
    ),
  })
  .strict();

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

function looksLikeEmail(value: string): boolean {
  return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value.trim());
}

function aliasKey(tool: IdentityTool, instance: string, nativeId: string): string {
  return `${tool}\u0000${instance}\u0000${nativeId.trim().toLowerCase()}`;
}

export class PeopleDirectory {
  private readonly byAlias = new Map<string, PersonRecord>();
  private readonly byId = new Map<string, PersonRecord>();

  private constructor(records: PersonRecord[]) {
    for (const record of records) {
      this.byId.set(record.id, record);
      for (const identity of record.identities) {
        this.byAlias.set(aliasKey(identity.tool, identity.instance, identity.nativeId), record);
      }
      // Their email, as a commit author or an MLflow user id, is them too.
      this.byAlias.set(aliasKey('GIT', '*', record.id), record);
    }
  }

  static empty(): PeopleDirectory {
    return new PeopleDirectory([]);
  }

  /** Reads and validates the aliases file; an error names the file and the entry. */
  static fromFile(path: string): PeopleDirectory {
    let raw: unknown;
    try {
      raw = parseYaml(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new ModelgraphError('PEOPLE_FILE_INVALID', `people aliases file ${path}: ${(err as Error).message}`);
    }
    return PeopleDirectory.fromData(raw, path);
  }

  static fromData(raw: unknown, where = 'people aliases'): PeopleDirectory {
    const parsed = aliasesSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ModelgraphError('PEOPLE_FILE_INVALID', `${where}: ${issue.path.map(String).join('.')}: ${issue.message}`);
    }
    const seen = new Set<string>();
    const records = parsed.data.people.map((p, index) => {
      const id = normaliseEmail(p.email);
      if (seen.has(id)) throw new ModelgraphError('PEOPLE_FILE_INVALID', `${where}: people.${index}.email: ${id} is listed twice`);
      seen.add(id);
      const identities = p.identities.map((text): PersonIdentity => {
        const [tool, instance, ...rest] = text.split(':');
        return {
          tool: tool.toUpperCase() as IdentityTool,
          instance,
          nativeId: rest.join(':'),
          email: null,
          displayName: p.name ?? null,
        };
      });
      return { id, email: id, displayName: p.name ?? null, identities };
    });
    return new PeopleDirectory(records);
  }

  /** The person an identity belongs to: always an answer, never a guess. */
  resolve(identity: PersonIdentity): { id: string } {
    return { id: this.recordFor(identity).id };
  }

  /** {@link resolve}, described: as the directory lists them, else as the identity shows them. */
  person(identity: PersonIdentity): PersonRecord {
    return this.recordFor(identity);
  }

  /**
   * The person behind several identities of one act, most trusted first (a commit's host
   * account, then its email, then its name): the first the directory ties to a person; else,
   * when none is tied, the person of the first with an email (an email is an id every tool
   * shares), else of the first. A person nobody listed is described by these identities:
   * their name as the act records it, and each identity.
   */
  resolveFirstKnown(candidates: ReadonlyArray<PersonIdentity | null | undefined>): PersonRecord | null {
    const present = candidates.filter((c): c is PersonIdentity => !!c);
    for (const identity of present) {
      const known = this.knownRecord(identity);
      if (known) return known;
    }
    const primary = present.find((c) => emailOf(c) !== null) ?? present[0];
    if (!primary) return null;
    const record = this.recordFor(primary);
    return {
      ...record,
      displayName: record.displayName ?? present.find((c) => c.displayName)?.displayName ?? null,
      identities: present,
    };
  }

  /** Whether the directory ties this identity to a listed person. */
  knows(identity: PersonIdentity): boolean {
    return this.knownRecord(identity) !== null;
  }

  /** What the inventory says about a person id it is handed. */
  describe(id: string): PersonRecord {
    if (looksLikeEmail(id)) {
      const email = normaliseEmail(id);
      return this.byId.get(email) ?? { id: email, email, displayName: null, identities: [] };
    }
    const identity = parseFallbackId(id);
    return { id, email: null, displayName: null, identities: identity ? [identity] : [] };
  }

  /** The listed person this identity belongs to (by an alias, or by their email); null when none. */
  private knownRecord(identity: PersonIdentity): PersonRecord | null {
    const alias =
      this.byAlias.get(aliasKey(identity.tool, identity.instance, identity.nativeId)) ??
      this.byAlias.get(aliasKey(identity.tool, '*', identity.nativeId));
    if (alias) return alias;
    const email = emailOf(identity);
    if (!email) return null;
    const id = normaliseEmail(email);
    return this.byId.get(id) ?? this.byAlias.get(aliasKey('GIT', '*', id)) ?? null;
  }

  private recordFor(identity: PersonIdentity): PersonRecord {
    const known = this.knownRecord(identity);
    if (known) return known;
    // An email the tool exposes, or a native id that is one (MLflow user ids, git authors).
    const email = emailOf(identity);
    if (email) {
      const id = normaliseEmail(email);
      return { id, email: id, displayName: identity.displayName, identities: [identity] };
    }
    const id = fallbackId(identity);
    return { id, email: null, displayName: identity.displayName, identities: [identity] };
  }
}

/** An email the tool exposes, or a native id that is one (MLflow user ids, git authors). */
function emailOf(identity: PersonIdentity): string | null {
  return identity.email ?? (looksLikeEmail(identity.nativeId) ? identity.nativeId : null);
}

/** `<tool>:<instance>:<native id>`, for identities with no known email. */
export function fallbackId(identity: Pick<PersonIdentity, 'tool' | 'instance' | 'nativeId'>): string {
  return `${identity.tool.toLowerCase()}:${identity.instance}:${identity.nativeId}`;
}

function parseFallbackId(id: string): PersonIdentity | null {
  const [tool, instance, ...rest] = id.split(':');
  const upper = tool?.toUpperCase() as IdentityTool;
  if (!TOOLS.includes(upper) || !instance || rest.length === 0) return null;
  return { tool: upper, instance, nativeId: rest.join(':'), email: null, displayName: null };
}
