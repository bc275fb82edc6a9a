import type { AdfDocument, AdfNode, CommentRequest, IssueCreateFields, IssueUpdateDetails, JiraFlavor } from './types';

/**
 * Pure builders of Jira's write requests (graph -> DTO), for both APIs: Cloud v3 takes
 * rich text as Atlassian Document Format, Data Center v2 as a (wiki-markup) string. Callers
 * describe text once, flavour-neutral, as {@link TextBlock}s.
 */

/** A run of text, optionally a link (`href`), bold or code. */
export interface Inline {
  text: string;
  href?: string;
  strong?: boolean;
  code?: boolean;
}

export type TextBlock =
  | { kind: 'heading'; text: string }
  | { kind: 'paragraph'; parts: Inline[] }
  | { kind: 'list'; items: Inline[][] };

/** An issue to create, flavour-neutral. */
export interface IssueDraft {
  /** Project key. */
  project: string;
  /** Issue type name (`Task`). */
  issueType: string;
  summary: string;
  description: TextBlock[];
  labels: string[];
  /** Priority name (`High`); none: the project's default. */
  priority?: string;
  /** Cloud account id or Data Center username; none: unassigned. */
  assignee?: string;
}

/** Jira's limit on `summary` ("You must specify a summary of less than 255 characters"). */
export const SUMMARY_MAX = 254;

/** One line within Jira's limit, an ellipsis where it was cut. */
export function issueSummary(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > SUMMARY_MAX ? `${line.slice(0, SUMMARY_MAX - 1)}…` : line;
}

/** Labels are single words: Jira refuses one with a space ("The label 'a b' contains spaces which is invalid."). */
export function isValidLabel(label: string): boolean {
  return label.length > 0 && label.length <= 255 && !/\s/.test(label);
}

function inlineAdf(part: Inline): AdfNode {
  const marks = [
    ...(part.strong ? [{ type: 'strong' }] : []),
    ...(part.code ? [{ type: 'code' }] : []),
    ...(part.href ? [{ type: 'link', attrs: { href: part.href } }] : []),
  ];
  return { type: 'text', text: part.text, ...(marks.length > 0 ? { marks } : {}) };
}

/** ADF has no empty text nodes: Jira refuses `{type: 'text', text: ''}`. */
function inlinesAdf(parts: Inline[]): AdfNode[] {
  return parts.filter((p) => p.text !== '').map(inlineAdf);
}

export function toAdf(blocks: readonly TextBlock[]): AdfDocument {
  const content = blocks.map((block): AdfNode => {
    if (block.kind === 'heading') return { type: 'heading', attrs: { level: 3 }, content: inlinesAdf([{ text: block.text }]) };
    if (block.kind === 'paragraph') return { type: 'paragraph', content: inlinesAdf(block.parts) };
    return {
      type: 'bulletList',
      content: block.items.map((item) => ({ type: 'listItem', content: [{ type: 'paragraph', content: inlinesAdf(item) }] })),
    };
  });
  return { type: 'doc', version: 1, content };
}

function inlineText(part: Inline): string {
  return part.href && part.href !== part.text ? `${part.text} (${part.href})` : part.text;
}

/** Plain text for Data Center: readable as it is, and links Jira's renderer turns clickable. */
export function toPlainText(blocks: readonly TextBlock[]): string {
  return blocks
    .map((block) => {
      if (block.kind === 'heading') return block.text;
      if (block.kind === 'paragraph') return block.parts.map(inlineText).join('');
      return block.items.map((item) => `- ${item.map(inlineText).join('')}`).join('\n');
    })
    .join('\n\n');
}

function richText(blocks: readonly TextBlock[], flavor: JiraFlavor): AdfDocument | string {
  return flavor === 'cloud' ? toAdf(blocks) : toPlainText(blocks);
}

/** POST /issue's body. */
export function createIssueRequest(draft: IssueDraft, flavor: JiraFlavor): { fields: IssueCreateFields } {
  return {
    fields: {
      project: { key: draft.project },
      issuetype: { name: draft.issueType },
      summary: issueSummary(draft.summary),
      description: richText(draft.description, flavor),
      labels: [...new Set(draft.labels)],
      ...(draft.priority ? { priority: { name: draft.priority } } : {}),
      ...(draft.assignee ? { assignee: flavor === 'cloud' ? { accountId: draft.assignee } : { name: draft.assignee } } : {}),
    },
  };
}

/** POST /issue/{key}/comment's body. */
export function commentRequest(blocks: readonly TextBlock[], flavor: JiraFlavor): CommentRequest {
  return { body: richText(blocks, flavor) };
}

/** PUT /issue/{key}'s body that adds labels and leaves the others. */
export function addLabelsRequest(labels: readonly string[]): IssueUpdateDetails {
  return { update: { labels: labels.map((label) => ({ add: label })) } };
}

/** POST /issue/{key}/transitions' body. */
export function transitionRequest(transitionId: string): IssueUpdateDetails {
  return { transition: { id: transitionId } };
}
