/**
 * Service identities: pipelines, applications and roles that register versions or hold
 * tickets. They are shown as what they are (never as a Person) and never count as a model's
 * owner, since nobody answers for a model through them. Config `governance.serviceIdentities`.
 */

/** The settings part this reads: glob patterns of service identities. */
export interface ServiceIdentitySettings {
  serviceIdentities: readonly string[];
}

const globs = new Map<string, RegExp>();

/** `svc-*` as an anchored, case-insensitive expression; only `*` and `?` are special. */
function globRegExp(glob: string): RegExp {
  let re = globs.get(glob);
  if (!re) {
    const source = glob
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${source}$`, 'i');
    globs.set(glob, re);
  }
  return re;
}

const ASSUMED_ROLE = /^arn:[^:]+:sts::\d*:assumed-role\/([^/]+)\/(.+)$/;

/** The names a pattern is tried on: the identity, and an assumed role's role and session names. */
function namesOf(identity: string): string[] {
  const role = ASSUMED_ROLE.exec(identity);
  return role ? [identity, role[1]!, role[2]!] : [identity];
}

/** Whether `identity` matches one of the settings' `serviceIdentities` patterns. */
export function matchesServicePattern(identity: string | null, settings: ServiceIdentitySettings): boolean {
  if (identity === null || identity.trim() === '') return false;
  const names = namesOf(identity.trim());
  return settings.serviceIdentities.some((glob) => names.some((name) => globRegExp(glob).test(name)));
}

/** Whether the version's creator is a service: the registry says so, or a pattern matches. */
export function isServiceCreator(v: { createdBy: string | null; createdByType?: 'USER' | 'SERVICE' | null }, settings: ServiceIdentitySettings): boolean {
  return v.createdByType === 'SERVICE' || matchesServicePattern(v.createdBy, settings);
}
