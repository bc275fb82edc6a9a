import type { Finding, FindingRule, Severity, SourceRefFact, Waiver } from './types';

/**
 * A finding as the graph serves it: the model and the evidence as entity references
 * (`{ key }`, `{ __typename, id }`), which the gateway completes in the subgraphs owning
 * them. The governance index keeps findings in this shape.
 */
export interface GraphFinding {
  fingerprint: string;
  rule: FindingRule;
  severity: Severity;
  message: string;
  model: { key: string } | null;
  version: { __typename: 'MlflowModelVersion' | 'CloudModelVersion'; id: string } | null;
  trafficPercent: number | null;
  evidence: {
    refs: SourceRefFact[];
    versions: Array<{ __typename: 'MlflowModelVersion' | 'CloudModelVersion'; id: string }>;
    tickets: Array<{ id: string }>;
    deployments: Array<{ id: string }>;
  };
  waiver: Pick<Waiver, 'reason' | 'until'> | null;
}

export function toGraphFinding(f: Finding, waiver: Waiver | null): GraphFinding {
  return {
    fingerprint: f.fingerprint,
    rule: f.rule,
    severity: f.severity,
    message: f.message,
    model: f.modelKey === null ? null : { key: f.modelKey },
    version: f.version ? { __typename: f.version.typename, id: f.version.id } : null,
    trafficPercent: f.trafficPercent ?? null,
    evidence: {
      refs: f.evidence.refs,
      versions: f.evidence.versions.map((v) => ({ __typename: v.typename, id: v.id })),
      tickets: f.evidence.tickets.map((id) => ({ id })),
      deployments: f.evidence.deployments.map((id) => ({ id })),
    },
    waiver: waiver && { reason: waiver.reason, until: waiver.until },
  };
}
