/**
 * The Jira side of the demo organisation: one project per team, the org's people as Jira
 * users, and tickets derived deterministically from the models' registry history, in a
 * flavour-neutral form that `render.ts` turns into Cloud (REST v3) or Data Center (REST v2)
 * JSON.
 *
 * What is seeded, per model (in the team's project):
 * - a model with a Production version gets "Approve <model> v<N> for production" (a Task),
 *   Done and resolved before the promotion — unless the version's `validation_status` tag
 *   says `pending` (the org's "production not approved" quirk, e.g. `credit-risk-scorer`),
 *   in which case the ticket is still In Progress / In Review;
 * - a newer Staging version (or, without production, the latest Staging one) often gets an
 *   open approval ticket (To Do / In Progress / In Review);
 * - a few noise tickets per project link to no model at all.
 *
 * Tickets are linked to models by the label `model:<key>`, and every model ticket also
 * carries the multi-select custom field "Model" (`customfield_10042`) with its model keys,
 * so that each of modelgraph's link rules (label, component, customField) finds them.
 *
 * DELIBERATE GAPS, for the governance rules:
 * - `lead-scorer` (the model nobody owns) has no ticket at all;
 * - `credit-risk-scorer` is in Production but its approval ticket is not Done;
 * - one ticket links two models (`churn-predictor` and `ltv-predictor`: a joint review);
 * - `demand-forecaster`'s tickets are linked by the component `demand-forecaster` instead
 *   of a label, so the default label rule does not find them (the component and custom
 *   field rules do). Every model has a component of its own name in its team's project,
 *   as a site that links by component would, so a component search for any org model is
 *   valid JQL.
 *
 * Determinism: everything comes from the org and `Prng` streams forked per concern and per
 * model; times derive from the models' version times, never the clock.
 */
import type { DemoModel, DemoModelVersion, DemoOrg, DemoPerson } from '../demo-org';
import { hashSeed, Prng } from '../prng';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The custom field the sandbox's tickets carry their model keys in (a multi-select). */
export const JIRA_MODEL_FIELD = { id: 'customfield_10042', numericId: '10042', name: 'Model' } as const;

/** The deliberate gaps, by model key (see the module comment). */
export const JIRA_SEED_GAPS = {
  noTicket: 'lead-scorer',
  productionNotApproved: 'credit-risk-scorer',
  twoModels: ['churn-predictor', 'ltv-predictor'] as const,
  componentLinked: 'demand-forecaster',
} as const;

export type JiraStatusCategoryKey = 'new' | 'indeterminate' | 'done';

export interface JiraSeedStatus {
  id: string;
  name: string;
  description: string;
  category: JiraStatusCategoryKey;
}

/** A small workflow with one status category each, plus a second "in progress" one. */
export const JIRA_STATUSES: readonly JiraSeedStatus[] = [
  { id: '10000', name: 'To Do', description: 'Work that has not been started.', category: 'new' },
  { id: '3', name: 'In Progress', description: 'This issue is being actively worked on at the moment by the assignee.', category: 'indeterminate' },
  { id: '10001', name: 'In Review', description: 'Waiting for a reviewer.', category: 'indeterminate' },
  { id: '10002', name: 'Done', description: 'Work has finished.', category: 'done' },
];

/** Jira's fixed status categories (`GET /rest/api/3/statuscategory`). */
export const JIRA_STATUS_CATEGORIES: Record<JiraStatusCategoryKey, { id: number; key: JiraStatusCategoryKey; colorName: string; name: string }> = {
  new: { id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do' },
  indeterminate: { id: 4, key: 'indeterminate', colorName: 'yellow', name: 'In Progress' },
  done: { id: 3, key: 'done', colorName: 'green', name: 'Done' },
};

export const JIRA_ISSUE_TYPES = {
  Task: { id: '10001', description: 'A small, distinct piece of work.' },
  Story: { id: '10002', description: "Stories track functionality or features expressed as user goals." },
  Bug: { id: '10003', description: 'Bugs track problems or errors.' },
} as const;
export type JiraIssueTypeName = keyof typeof JIRA_ISSUE_TYPES;

export const JIRA_PRIORITIES = { Highest: '1', High: '2', Medium: '3', Low: '4' } as const;
export type JiraPriorityName = keyof typeof JIRA_PRIORITIES;

export interface JiraSeedUser {
  /** The org person's id. */
  personId: string;
  /** Cloud's opaque account id. */
  accountId: string;
  /** Data Center's username. */
  name: string;
  /** Data Center's internal user key. */
  key: string;
  displayName: string;
  email: string;
  /** Cloud shows the email only when the person's profile makes it visible: a minority. */
  emailVisible: boolean;
  active: boolean;
  timeZone: string;
}

export interface JiraSeedProject {
  id: string;
  key: string;
  name: string;
  components: Array<{ id: string; name: string }>;
}

export interface JiraSeedIssue {
  id: string;
  key: string;
  projectKey: string;
  summary: string;
  description: string;
  type: JiraIssueTypeName;
  /** A name from JIRA_STATUSES. */
  status: string;
  priority: JiraPriorityName;
  labels: string[];
  components: string[];
  /** Values of the "Model" custom field. */
  modelField: string[];
  /** Person ids. */
  assignee: string | null;
  reporter: string;
  created: number;
  updated: number;
  resolved: number | null;
  /** The workflow moves that led to `status`, oldest first (the changelog's status items). */
  transitions: JiraSeedTransition[];
}

export interface JiraSeedTransition {
  at: number;
  from: string;
  to: string;
  /** Person id of who moved it. */
  by: string;
}

export interface JiraSeed {
  projects: JiraSeedProject[];
  /** The options of the "Model" multi-select: every model key of the org. */
  modelFieldOptions: string[];
  users: JiraSeedUser[];
  /** In creation order; ids and keys increase with it. */
  issues: JiraSeedIssue[];
}

export interface JiraSeedOptions {
  /**
   * The flavour only changes what is hidden: on Cloud most emails are. The tickets are the
   * same for both flavours.
   */
  flavor: 'cloud' | 'datacenter';
}

type Draft = Omit<JiraSeedIssue, 'id' | 'key' | 'transitions'> & { order: number };

/** The way through the workflow to each status, from To Do. */
const WORKFLOW_PATH: Record<string, string[]> = {
  'To Do': [],
  'In Progress': ['In Progress'],
  'In Review': ['In Progress', 'In Review'],
  Done: ['In Progress', 'In Review', 'Done'],
};

/**
 * The moves that led to the issue's status, spread over its life without drawing from any
 * random stream (the rest of the seed stays as it was): a resolved issue reaches Done at its
 * resolution date, as Jira sets `resolutiondate` on that move; an open one made its last
 * move at its last update. Moves are by the assignee (the reporter when there is none).
 */
export function workflowTransitions(issue: Pick<JiraSeedIssue, 'status' | 'created' | 'updated' | 'resolved' | 'assignee' | 'reporter'>): JiraSeedTransition[] {
  const path = WORKFLOW_PATH[issue.status] ?? [issue.status];
  const end = issue.resolved ?? issue.updated;
  const by = issue.assignee ?? issue.reporter;
  let from = 'To Do';
  return path.map((to, i) => {
    const at = Math.round(issue.created + ((end - issue.created) * (i + 1)) / path.length);
    const move = { at, from, to, by };
    from = to;
    return move;
  });
}

const NOISE = [
  ['Upgrade the feature store client to v2', 'Story', ['tech-debt']],
  ['Rotate the training pipeline service credentials', 'Task', ['security']],
  ['Flaky integration test in the scoring service', 'Bug', ['ci']],
  ['Quarterly access review for the model bucket', 'Task', ['compliance']],
  ['Migrate team dashboards to the new BI tool', 'Story', []],
  ['Document the on-call runbook for batch scoring', 'Task', ['docs']],
  ['Backfill features for the holiday period', 'Story', ['data']],
  ['Alert fatigue: tune drift alert thresholds', 'Bug', ['monitoring']],
] as const;

const TIME_ZONES = ['Europe/Berlin', 'Europe/London', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney'];

export function seedJiraIssues(org: DemoOrg, _options: JiraSeedOptions = { flavor: 'cloud' }): JiraSeed {
  const root = new Prng(hashSeed('jira', org.seed));
  const users = makeUsers(root.fork('users'), org.people);
  const projects = org.teams.map((team, i): JiraSeedProject => ({
    id: String(10000 + i),
    key: team.jiraProjectKey,
    name: team.name,
    components: [],
  }));
  const projectOfTeam = new Map(org.teams.map((t, i) => [t.slug, projects[i]!]));
  const membersOf = new Map<string, DemoPerson[]>();
  for (const p of org.people) membersOf.set(p.team, [...(membersOf.get(p.team) ?? []), p]);
  const peopleById = new Map(org.people.map((p) => [p.id, p]));

  // Components: one per model, named by its key, plus two shared ones per project.
  let componentId = 10100;
  for (const project of projects) {
    for (const name of ['data-pipeline', 'serving']) project.components.push({ id: String(componentId++), name });
  }
  for (const model of org.models) {
    projectOfTeam.get(model.team)?.components.push({ id: String(componentId++), name: model.key });
  }

  const drafts: Draft[] = [];
  let order = 0;
  const modelKeys = new Set(org.models.map((m) => m.key));
  for (const model of org.models) {
    if (model.key === JIRA_SEED_GAPS.noTicket) continue;
    const project = projectOfTeam.get(model.team);
    if (!project) continue;
    const rng = root.fork('model', model.key);
    const members = membersOf.get(model.team) ?? org.people;
    const owner = model.ownerId ? peopleById.get(model.ownerId) : undefined;
    for (const ticket of approvalTickets(rng, model)) {
      drafts.push({
        order: order++,
        projectKey: project.key,
        summary: `Approve ${model.key} v${ticket.version.version} for production`,
        description:
          `Sign-off for promoting ${model.displayName} version ${ticket.version.version} to production: ` +
          'validation report, fairness review and rollback plan attached.',
        type: 'Task',
        status: ticket.status,
        priority: rng.weighted<JiraPriorityName>([['High', 4], ['Medium', 5], ['Highest', 1]]),
        ...link(model.key, [model.key]),
        ...people(rng, members, owner, ticket.status),
        ...ticket.times,
      });
    }
  }

  // One ticket that links two models.
  const [a, b] = JIRA_SEED_GAPS.twoModels;
  const pair = modelKeys.has(a) && modelKeys.has(b) ? [a, b] : firstTeamPair(org);
  if (pair) {
    const first = org.models.find((m) => m.key === pair[0])!;
    const project = projectOfTeam.get(first.team)!;
    const rng = root.fork('joint', pair.join(','));
    const created = Math.max(...pair.map((k) => lastVersion(org.models.find((m) => m.key === k)!).creationTime)) + rng.int(2, 48) * HOUR;
    const resolved = created + rng.int(2, 9) * DAY;
    drafts.push({
      order: order++,
      projectKey: project.key,
      summary: `Joint review: ${pair[0]} and ${pair[1]} share the customer-value features`,
      description: 'Both models read the same customer-value feature set; review them together before the next release.',
      type: 'Story',
      status: 'Done',
      priority: 'Medium',
      labels: pair.map((k) => `model:${k}`),
      components: [],
      modelField: [...pair],
      ...people(rng, membersOf.get(first.team) ?? org.people, first.ownerId ? peopleById.get(first.ownerId) : undefined, 'Done'),
      created,
      updated: resolved + rng.int(0, 30) * 60_000,
      resolved,
    });
  }

  // Noise: tickets that link to no model.
  for (const [i, project] of projects.entries()) {
    const rng = root.fork('noise', project.key);
    const team = org.teams[i]!;
    const members = membersOf.get(team.slug) ?? org.people;
    for (const [summary, type, labels] of rng.shuffle(NOISE).slice(0, rng.int(1, 3))) {
      const status = rng.pick(JIRA_STATUSES).name;
      const created = org.epochMs + rng.int(0, 320) * DAY + rng.int(0, 23) * HOUR;
      const resolved = status === 'Done' ? created + rng.int(1, 20) * DAY : null;
      drafts.push({
        order: order++,
        projectKey: project.key,
        summary,
        description: `${summary}.`,
        type,
        status,
        priority: rng.weighted<JiraPriorityName>([['Medium', 5], ['Low', 3], ['High', 2]]),
        labels: [...labels],
        components: rng.chance(0.4) ? [rng.pick(['data-pipeline', 'serving'])] : [],
        modelField: [],
        ...people(rng, members, undefined, status),
        created,
        updated: (resolved ?? created) + rng.int(0, 72) * HOUR,
        resolved,
      });
    }
  }

  // Ids and keys in creation order, as Jira hands them out.
  drafts.sort((x, y) => x.created - y.created || x.order - y.order);
  const counters = new Map<string, number>();
  const issues = drafts.map((d, i): JiraSeedIssue => {
    const n = (counters.get(d.projectKey) ?? 0) + 1;
    counters.set(d.projectKey, n);
    const { order: _order, ...rest } = d;
    return { id: String(10000 + i), key: `${d.projectKey}-${n}`, ...rest, transitions: workflowTransitions(rest) };
  });
  return { projects, modelFieldOptions: org.models.map((m) => m.key), users, issues };
}

function makeUsers(rng: Prng, people: DemoPerson[]): JiraSeedUser[] {
  return people.map((p, i) => ({
    personId: p.id,
    accountId: p.jiraAccountId,
    name: p.id,
    key: `JIRAUSER${10100 + i}`,
    displayName: p.displayName,
    email: p.email,
    // Most Cloud profiles keep the email private; a fixed share makes it visible.
    emailVisible: rng.chance(0.3),
    active: p.active,
    timeZone: rng.pick(TIME_ZONES),
  }));
}

interface PlannedTicket {
  version: DemoModelVersion;
  status: string;
  times: { created: number; updated: number; resolved: number | null };
}

function allVersions(model: DemoModel): DemoModelVersion[] {
  return model.registrations.flatMap((r) => r.versions);
}

function lastVersion(model: DemoModel): DemoModelVersion {
  const versions = allVersions(model);
  return versions.reduce((a, b) => (b.creationTime > a.creationTime ? b : a), versions[0]!);
}

/** The approval tickets of one model, from its registry history (see the module comment). */
function approvalTickets(rng: Prng, model: DemoModel): PlannedTicket[] {
  const versions = allVersions(model);
  const out: PlannedTicket[] = [];
  const production = versions.find((v) => v.stage === 'Production');
  if (production) {
    const approved = production.tags.validation_status !== 'pending';
    const created = production.creationTime + rng.int(1, 24) * HOUR;
    if (approved) {
      // Resolved before the promotion took effect (the version's last update).
      const resolved = Math.max(created + HOUR, production.lastUpdatedTime - rng.int(1, 12) * HOUR);
      out.push({ version: production, status: 'Done', times: { created, updated: resolved + rng.int(0, 90) * 60_000, resolved } });
    } else {
      const status = rng.pick(['In Progress', 'In Review']);
      out.push({ version: production, status, times: { created, updated: created + rng.int(1, 10) * DAY, resolved: null } });
    }
  }
  const candidates = versions.filter((v) => v.stage === 'Staging' && (!production || v.creationTime > production.creationTime));
  const staging = candidates.reduce<DemoModelVersion | undefined>((a, b) => (!a || b.creationTime > a.creationTime ? b : a), undefined);
  if (staging && (!production || rng.chance(0.5))) {
    const status = rng.weighted<string>([['To Do', 4], ['In Progress', 3], ['In Review', 2]]);
    const created = staging.creationTime + rng.int(1, 48) * HOUR;
    out.push({ version: staging, status, times: { created, updated: created + rng.int(0, 6) * DAY, resolved: null } });
  }
  if (out.length === 0 && rng.chance(0.5)) {
    // Never promoted: sometimes someone still filed the request.
    const newest = lastVersion(model);
    const created = newest.creationTime + rng.int(1, 72) * HOUR;
    out.push({ version: newest, status: 'To Do', times: { created, updated: created, resolved: null } });
  }
  return out;
}

function link(modelKey: string, keys: string[]): { labels: string[]; components: string[]; modelField: string[] } {
  if (modelKey === JIRA_SEED_GAPS.componentLinked) return { labels: ['model-approval'], components: [modelKey], modelField: keys };
  return { labels: ['model-approval', ...keys.map((k) => `model:${k}`)], components: [], modelField: keys };
}

function people(
  rng: Prng,
  members: DemoPerson[],
  owner: DemoPerson | undefined,
  status: string,
): { assignee: string | null; reporter: string } {
  const active = members.filter((p) => p.active);
  const pool = active.length > 0 ? active : members;
  const assignee = status === 'To Do' && rng.chance(0.25) ? null : owner?.active ? owner : rng.pick(pool);
  const others = pool.filter((p) => p !== assignee);
  const reporter = rng.pick(others.length > 0 ? others : pool);
  return { assignee: assignee?.id ?? null, reporter: reporter.id };
}

function firstTeamPair(org: DemoOrg): [string, string] | undefined {
  const seen = new Map<string, string>();
  for (const m of org.models) {
    if (m.key === JIRA_SEED_GAPS.noTicket) continue;
    const other = seen.get(m.team);
    if (other) return [other, m.key];
    seen.set(m.team, m.key);
  }
  return undefined;
}
