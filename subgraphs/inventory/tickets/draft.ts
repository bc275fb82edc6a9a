/**
 * What a finding's Jira ticket says, and the labels that tie tickets to findings: pure, no
 * I/O. The fingerprint label is the idempotency key: the ticket flow searches for it before
 * it creates, and `Finding.ticket` finds a finding's ticket by it.
 */
import { issueSummary, type IssueDraft, type Inline, type TextBlock } from '../../../connectors/jira';
import type { SourceKind } from '../../../connectors/core/source';
import { SOURCE_MODULES } from '../../../connectors/sources';
import type { GraphFinding } from '../governance/graph-finding';
import type { Severity } from '../governance/types';

/** Every ticket modelgraph files carries it: what the search for gone findings looks for. */
export const FINDING_LABEL = 'modelgraph-finding';
/** Added once the comment saying the finding is gone is posted, so it is posted once. */
export const GONE_LABEL = 'modelgraph-finding-gone';
const FINGERPRINT_PREFIX = 'modelgraph-finding-';

/** `modelgraph-finding-<fingerprint>`: labels are single words, and fingerprints are hex. */
export function fingerprintLabel(fingerprint: string): string {
  return `${FINGERPRINT_PREFIX}${fingerprint}`;
}

/** The fingerprint a ticket's labels name; undefined for a ticket without one. */
export function fingerprintOfLabels(labels: readonly string[]): string | undefined {
  const label = labels.find((l) => l.startsWith(FINGERPRINT_PREFIX) && /^[0-9a-f]{16}$/.test(l.slice(FINGERPRINT_PREFIX.length)));
  return label?.slice(FINGERPRINT_PREFIX.length);
}

/** Where and how tickets are filed (config `tickets`). */
export interface TicketSettings {
  /** The `sources.jira` instance. */
  jira: string;
  project: string;
  issueType: string;
  labels: string[];
  /** Priority name per severity, lower-case keys as the config writes them. */
  priorities: Partial<Record<'high' | 'medium' | 'low', string>>;
  /** The transition applied once a ticketed finding is gone; none: only the comment. */
  resolvedTransition?: string;
}

/** Each source's product name, as its module writes it (`Azure ML`). */
const KIND_NAMES: Record<SourceKind, string> = Object.fromEntries(SOURCE_MODULES.map((m) => [m.kind, m.label])) as Record<SourceKind, string>;

export function priorityFor(severity: Severity, settings: Pick<TicketSettings, 'priorities'>): string | undefined {
  return settings.priorities[severity.toLowerCase() as 'high' | 'medium' | 'low'];
}

/** One line within Jira's limit, as Jira wants a summary. */
export function ticketSummary(finding: GraphFinding): string {
  return issueSummary(`[modelgraph] ${finding.severity} ${finding.rule}: ${finding.message}`);
}

/** The description: what is wrong, and the evidence, each with a link into its tool where it has one. */
export function ticketDescription(finding: GraphFinding): TextBlock[] {
  const facts: Inline[] = [
    { text: 'Rule: ', strong: true },
    { text: finding.rule, code: true },
    { text: '   Severity: ', strong: true },
    { text: finding.severity },
    ...(finding.model ? [{ text: '   Model: ', strong: true }, { text: finding.model.key, code: true }] : []),
    { text: '   Fingerprint: ', strong: true },
    { text: finding.fingerprint, code: true },
  ];
  const evidence: Inline[][] = [
    ...finding.evidence.refs.map((ref): Inline[] => [
      { text: `${KIND_NAMES[ref.kind] ?? ref.kind} ${ref.instance}: ` },
      ref.url ? { text: ref.nativeId, href: ref.url } : { text: ref.nativeId, code: true },
    ]),
    ...finding.evidence.versions.map((v): Inline[] => [{ text: 'Version ' }, { text: v.id, code: true }]),
    ...finding.evidence.deployments.map((d): Inline[] => [{ text: 'Deployment ' }, { text: d.id, code: true }]),
    ...finding.evidence.tickets.map((t): Inline[] => [{ text: 'Ticket ' }, { text: t.id, code: true }]),
  ];
  return [
    { kind: 'paragraph', parts: [{ text: finding.message }] },
    { kind: 'paragraph', parts: facts },
    ...(evidence.length > 0 ? [{ kind: 'heading' as const, text: 'Evidence' }, { kind: 'list' as const, items: evidence }] : []),
    {
      kind: 'paragraph',
      parts: [
        { text: 'Filed by modelgraph. The label ' },
        { text: fingerprintLabel(finding.fingerprint), code: true },
        { text: ' ties this ticket to the finding: modelgraph files no second one, and comments here once the finding is gone.' },
      ],
    },
  ];
}

export function ticketDraft(finding: GraphFinding, settings: TicketSettings, assignee: string | undefined): IssueDraft {
  return {
    project: settings.project,
    issueType: settings.issueType,
    summary: ticketSummary(finding),
    description: ticketDescription(finding),
    labels: [...new Set([FINDING_LABEL, fingerprintLabel(finding.fingerprint), ...settings.labels])],
    priority: priorityFor(finding.severity, settings),
    assignee,
  };
}

/** The comment posted on a ticket whose finding the governance rules no longer report. */
export function goneComment(fingerprint: string, at: Date): TextBlock[] {
  return [
    {
      kind: 'paragraph',
      parts: [
        { text: 'modelgraph: the finding ' },
        { text: fingerprint, code: true },
        { text: ` is no longer reported (governance evaluation of ${at.toISOString()}). Nothing more is needed for it here.` },
      ],
    },
  ];
}
