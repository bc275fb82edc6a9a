import type { Stack } from '../../gateway/stack';
import { startSandbox, type Sandbox } from '../../sandbox';
import { deploymentFact, modelFacts, type ModelWithRequiredFacts, type RequiredDeployment } from '../../subgraphs/inventory/governance/facts';
import { toGraphFinding } from '../../subgraphs/inventory/governance/graph-finding';
import { lifecycleOf, roundDays } from '../../subgraphs/inventory/governance/lifecycle';
import { evaluateDeployments, evaluateModel } from '../../subgraphs/inventory/governance/rules';
import { DEFAULT_GOVERNANCE } from '../../subgraphs/inventory/governance/types';
import type { LinkedModel } from '../../subgraphs/inventory/linking';
import { postGraphql, startDemoGraph } from '../helpers/demo-graph';

/**
 * The governance index reads every model's facts from the connectors directly
 * (subgraphs/inventory/governance/source-facts.ts), not through the graph. Its answers must
 * be the graph's: here the same facts are asked of the graph, as any client would, the rules
 * evaluated on them in the test, and the outcome compared with what `Model.findings`,
 * `Model.lifecycle` and `Query.findings` answer from the index. 300 models: more than one of
 * the index's pages, every rule firing somewhere.
 */

const FACTS_QUERY = /* GraphQL */ `
  query Facts($first: Int!, $after: String) {
    models(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes {
        key name refs { kind instance nativeId url }
        mlflowVersions {
          id source { kind instance nativeId url } modelName version stage aliases status createdAt updatedAt createdBy
          run { id startTime git { commit } }
        }
        cloudVersions {
          id source { kind instance nativeId url } modelName version stage aliases status createdAt updatedAt createdBy createdByType
          approval mlflowSource { version runId }
        }
        deployments {
          id source { kind instance nativeId url } endpointName name status statusRaw statusMessage trafficPercent
          createdAt updatedAt modelVersionRef modelVersion { id }
        }
        tickets {
          id key url summary type status statusCategory labels created resolved assignee { id }
          description statusChanges { at from to }
        }
        codeOwners { handle kind person { id } }
        findings {
          fingerprint rule severity message version { id } trafficPercent
          evidence { refs { nativeId } versions { id } tickets { id } deployments { id } }
        }
        lifecycle {
          firstRunAt registeredAt approvedAt firstProductionAt
          approved { at precision source detail } firstProduction { at precision source detail }
          firstRunToRegisteredDays registeredToApprovedDays approvedToProductionDays firstRunToProductionDays
        }
      }
    }
  }
`;

type Node = LinkedModel & ModelWithRequiredFacts & { findings: unknown[]; lifecycle: Record<string, unknown> };

let sandbox: Sandbox;
let stack: Stack;
let nodes: Node[];

beforeAll(async () => {
  sandbox = await startSandbox({ models: 300 });
  stack = await startDemoGraph(sandbox);
  nodes = [];
  let after: string | null = null;
  do {
    const answer = await postGraphql(stack.graphqlUrl, FACTS_QUERY, { first: 100, after });
    expect(answer.errors).toBeUndefined();
    nodes.push(...(answer.data.models.nodes as Node[]));
    after = answer.data.models.pageInfo.hasNextPage ? answer.data.models.pageInfo.endCursor : null;
  } while (after);
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await sandbox?.close();
});

const now = () => new Date();

it('reads every model, across more than one page of the index', () => {
  expect(nodes.length).toBeGreaterThan(200);
});

it("answers each model's findings as the rules say of the graph's own facts", () => {
  let compared = 0;
  for (const node of nodes) {
    const expected = evaluateModel(modelFacts(node, node), DEFAULT_GOVERNANCE, now())
      .map((f) => toGraphFinding(f, null))
      .map((f) => ({
        fingerprint: f.fingerprint,
        rule: f.rule,
        severity: f.severity,
        message: f.message,
        version: f.version && { id: f.version.id },
        trafficPercent: f.trafficPercent,
        evidence: {
          refs: f.evidence.refs.map((r) => ({ nativeId: r.nativeId })),
          versions: f.evidence.versions.map((v) => ({ id: v.id })),
          tickets: f.evidence.tickets,
          deployments: f.evidence.deployments,
        },
      }));
    expect({ key: node.key, findings: node.findings }).toEqual({ key: node.key, findings: expected });
    compared += expected.length;
  }
  // Something was compared: the organisation has findings of several rules.
  expect(compared).toBeGreaterThan(20);
  expect(new Set(nodes.flatMap((n) => (n.findings as Array<{ rule: string }>).map((f) => f.rule))).size).toBeGreaterThanOrEqual(5);
  // The graph shows what the index reads for the new parts of the rules: creator types and approval moves.
  expect(nodes.some((n) => (n.cloudVersions ?? []).some((v) => v.createdByType === 'SERVICE'))).toBe(true);
  expect(nodes.some((n) => (n.tickets ?? []).some((t) => (t.statusChanges ?? []).length > 0))).toBe(true);
});

it("answers each model's lifecycle as computed from the graph's own facts", () => {
  for (const node of nodes) {
    const l = lifecycleOf(modelFacts(node, node), DEFAULT_GOVERNANCE);
    const expected = {
      ...l,
      firstRunToRegisteredDays: roundDays(l.firstRunToRegisteredDays),
      registeredToApprovedDays: roundDays(l.registeredToApprovedDays),
      approvedToProductionDays: roundDays(l.approvedToProductionDays),
      firstRunToProductionDays: roundDays(l.firstRunToProductionDays),
    };
    expect({ key: node.key, lifecycle: node.lifecycle }).toEqual({ key: node.key, lifecycle: expected });
  }
  expect(nodes.filter((n) => n.lifecycle.firstRunToProductionDays !== null).length).toBeGreaterThan(10);
});

it('lists the findings about deployments no registry holds as the graph\'s deployments say', async () => {
  const answer = await postGraphql(
    stack.graphqlUrl,
    `{ deployments { id source { kind instance nativeId url } endpointName name status statusRaw statusMessage trafficPercent
        createdAt updatedAt modelVersionRef modelVersion { id } }
       findings(rule: DEPLOYED_NOT_REGISTERED, first: 500) { nodes { fingerprint message } } }`,
  );
  expect(answer.errors).toBeUndefined();
  const expected = evaluateDeployments((answer.data.deployments as RequiredDeployment[]).map(deploymentFact), DEFAULT_GOVERNANCE);
  const modelless = (answer.data.findings.nodes as Array<{ fingerprint: string; message: string }>).filter(
    (f) => !nodes.some((n) => (n.findings as Array<{ fingerprint: string }>).some((m) => m.fingerprint === f.fingerprint)),
  );
  expect(expected.length).toBeGreaterThan(0);
  expect(modelless.map((f) => f.fingerprint).sort()).toEqual(expected.map((f) => f.fingerprint).sort());
});
