/**
 * CODEOWNERS, as GitHub and GitLab read it.
 *
 * Both: one rule per line, `pattern owner owner...`, `#` comments, gitignore-style
 * patterns (`*` within a segment, `**` across segments, a leading `/` anchors to the root,
 * a trailing `/` means a directory and everything below, a pattern without a slash matches
 * at any depth), and the LAST matching rule wins, so a later line overrides an earlier one.
 *
 * GitLab adds sections: `[Section]`, `^[Optional section]`, `[Section][2]` (approvals
 * required) and default owners on the section line (`[Section] @owner`), used by the rules
 * of that section that name none. The last match wins within each section, and a path's
 * owners are the union over sections.
 */

export interface CodeOwnerRule {
  pattern: string;
  owners: string[];
  /** Null outside any section (GitHub files, and the top of GitLab files). */
  section: string | null;
  /** 1-based line number in the file. */
  line: number;
}

export interface CodeOwnerSection {
  name: string;
  optional: boolean;
  approvals: number;
  defaultOwners: string[];
}

export interface ParsedCodeOwners {
  rules: CodeOwnerRule[];
  sections: CodeOwnerSection[];
  /** Lines that could not be read, with why; the rest of the file still applies. */
  errors: Array<{ line: number; message: string }>;
}

export type CodeOwnersFlavor = 'github' | 'gitlab';

const SECTION = /^(\^)?\[([^\]]+)\](?:\[(\d+)\])?\s*(.*)$/;

export function parseCodeOwners(content: string, flavor: CodeOwnersFlavor): ParsedCodeOwners {
  const rules: CodeOwnerRule[] = [];
  const sections: CodeOwnerSection[] = [];
  const errors: ParsedCodeOwners['errors'] = [];
  let section: CodeOwnerSection | null = null;

  content.split(/\r?\n/).forEach((rawLine, index) => {
    const line = index + 1;
    const text = stripComment(rawLine).trim();
    if (!text) return;
    if (flavor === 'gitlab') {
      const header = SECTION.exec(text);
      if (header) {
        const name = header[2].trim();
        // Sections with the same name (any case) are one section in GitLab.
        const existing = sections.find((s) => s.name.toLowerCase() === name.toLowerCase());
        section = existing ?? {
          name,
          optional: Boolean(header[1]),
          approvals: header[3] ? Number(header[3]) : 1,
          defaultOwners: splitOwners(header[4]),
        };
        if (!existing) sections.push(section);
        return;
      }
    }
    const [pattern, ...rest] = splitFields(text);
    const owners = rest.length > 0 ? rest : (section?.defaultOwners ?? []);
    if (owners.length === 0 && flavor === 'gitlab' && !section) {
      errors.push({ line, message: `no owners for "${pattern}"` });
    }
    // A rule without owners is legal in GitHub: it leaves the matching paths unowned.
    rules.push({ pattern: unescape(pattern), owners, section: section?.name ?? null, line });
  });
  return { rules, sections, errors };
}

/** The owners of a path: the last matching rule's (per section for GitLab, then merged). */
export function ownersOf(parsed: ParsedCodeOwners, filePath: string): string[] {
  const path = filePath.replace(/^\/+/, '');
  const lastBySection = new Map<string | null, CodeOwnerRule>();
  for (const rule of parsed.rules) {
    if (matchesPattern(rule.pattern, path)) lastBySection.set(rule.section, rule);
  }
  const owners: string[] = [];
  for (const rule of lastBySection.values()) {
    for (const owner of rule.owners) if (!owners.includes(owner)) owners.push(owner);
  }
  return owners;
}

const patternCache = new Map<string, RegExp>();

/** gitignore-style matching, as both hosts document for CODEOWNERS. */
export function matchesPattern(pattern: string, path: string): boolean {
  let regex = patternCache.get(pattern);
  if (!regex) {
    regex = patternToRegExp(pattern);
    patternCache.set(pattern, regex);
  }
  return regex.test(path);
}

function patternToRegExp(pattern: string): RegExp {
  let p = pattern;
  const directoryOnly = p.endsWith('/');
  if (directoryOnly) p = p.slice(0, -1);
  // Without a slash (other than a trailing one) a pattern matches at any depth.
  const anchored = p.includes('/');
  p = p.replace(/^\//, '');
  let body = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '*') {
      if (p[i + 1] === '*') {
        const slashAfter = p[i + 2] === '/';
        body += slashAfter ? '(?:.*/)?' : '.*';
        i += slashAfter ? 2 : 1;
      } else {
        body += '[^/]*';
      }
    } else if (c === '?') {
      body += '[^/]';
    } else {
      body += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  const prefix = anchored ? '^' : '^(?:.*/)?';
  // `dir/` owns everything below it; a name without wildcards in its last segment may be a
  // file or a directory; `docs/*` owns only the files directly in docs (as GitHub documents).
  const lastSegment = p.slice(p.lastIndexOf('/') + 1);
  const suffix = directoryOnly ? '/.*' : /[*?]/.test(lastSegment) ? '' : '(?:/.*)?';
  return new RegExp(`${prefix}${body}${suffix}$`);
}

function stripComment(line: string): string {
  // `\#` is a literal hash in a pattern; any other `#` starts a comment.
  let out = '';
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\' && line[i + 1] === '#') {
      out += '\\#';
      i++;
    } else if (line[i] === '#') {
      break;
    } else {
      out += line[i];
    }
  }
  return out;
}

function splitFields(text: string): string[] {
  // `\ ` escapes a space inside a pattern.
  return text
    .replace(/\\ /g, '\u0000')
    .split(/\s+/)
    .map((f) => f.replace(/\u0000/g, ' '));
}

function splitOwners(text: string): string[] {
  return text.trim() ? text.trim().split(/\s+/) : [];
}

function unescape(pattern: string): string {
  return pattern.replace(/\\#/g, '#');
}
