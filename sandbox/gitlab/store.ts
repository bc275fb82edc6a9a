/**
 * The GitLab side of the demo organisation: the groups and projects of the models whose code
 * lives on GitLab, the commits their MLflow runs trained from, and their CODEOWNERS files,
 * built deterministically from a `DemoOrg`.
 *
 * - Projects: one per distinct `repository.fullName` with host `gitlab` (a shared "models"
 *   repository holds several models), under `acme-data/<team>` subgroups; default branch
 *   `main`; topics; visibility mostly internal or private, at least one public.
 * - Commits: every git sha any run recorded, authored by the person who ran it (a team member
 *   for CI runs) before the run started, on the branch the run recorded, plus an initial
 *   commit per project. A few people commit from a personal address on non-default branches.
 * - CODEOWNERS in GitLab syntax (sections, an optional `^[Section]`, `[Section][2]`, default
 *   owners on the section line, `@group/subgroup` and `@user` owners, a later rule overriding
 *   an earlier one) in the documented locations, varying per project.
 *
 * Deliberate gaps: one project has no CODEOWNERS at all; one has two (`docs/CODEOWNERS` and an
 * older `.gitlab/CODEOWNERS`), where GitLab's lookup order makes the docs one win; a project
 * whose models' owners have all left is archived, and its CODEOWNERS still names them.
 */
import { createHash } from 'node:crypto';
import type { GitlabCommitDetail, GitlabNamespace, GitlabProject, GitlabUser, GitlabVisibility } from '../../connectors/gitlab/types';
import type { DemoModel, DemoOrg, DemoPerson, DemoRun, DemoTeam } from '../demo-org';
import { hashSeed, Prng } from '../prng';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** GitLab's documented default branch name for new projects (since 14.0). */
const DEFAULT_BRANCH = 'main';

export interface GitlabGroupRecord {
  id: number;
  name: string;
  path: string;
  fullPath: string;
  parentId: number | null;
  visibility: GitlabVisibility;
}

export interface GitlabCommitRecord {
  sha: string;
  branch: string;
  /** committed_date, epoch ms. */
  time: number;
  dto: GitlabCommitDetail;
}

export interface GitlabFileRecord {
  path: string;
  content: string;
  /** The commit that last changed it. */
  lastCommitId: string;
}

export interface GitlabProjectRecord {
  id: number;
  fullName: string;
  namespace: GitlabGroupRecord;
  visibility: GitlabVisibility;
  archived: boolean;
  createdAt: number;
  lastActivityAt: number;
  /** The project as an authenticated user sees it (`API::Entities::Project`, the usual fields). */
  dto: GitlabProject;
  commits: Map<string, GitlabCommitRecord>;
  /** Each branch's history, oldest first; its head is the last element. */
  branches: Map<string, GitlabCommitRecord[]>;
  /** Present at every commit of the project (they came with the initial commit). */
  files: Map<string, GitlabFileRecord>;
  /** Which CODEOWNERS GitLab uses here (the first of its documented locations), or null. */
  codeownersPath: string | null;
  modelKeys: string[];
}

export interface GitlabStore {
  /** The instance's web root, as GitLab's `web_url` fields show it. */
  webUrl: string;
  groups: GitlabGroupRecord[];
  /** Sorted by path_with_namespace (and so by id). */
  projects: GitlabProjectRecord[];
  /** By numeric id or by path_with_namespace, case-insensitively, as GitLab resolves `:id`. */
  findProject(id: string): GitlabProjectRecord | undefined;
  findGroup(id: string): GitlabGroupRecord | undefined;
  /** The group's own projects, and with `includeSubgroups` those of every group below it. */
  projectsOf(group: GitlabGroupRecord, includeSubgroups: boolean): GitlabProjectRecord[];
  /** A branch name, a full or abbreviated (4+ hex digits) sha, or `HEAD`; undefined when it names nothing. */
  resolveRef(project: GitlabProjectRecord, ref: string): GitlabCommitRecord | undefined;
  /** Commits reachable from `ref`, newest first; undefined for an unknown ref. */
  history(project: GitlabProjectRecord, ref: string): GitlabCommitRecord[] | undefined;
  /** Every user: one per person of the org, in org order. */
  users: GitlabUser[];
}

export interface GitlabStoreOptions {
  /** Default `https://gitlab.com`: where the org's repositories live (`DemoRepository.url`). */
  webUrl?: string;
}

/**
 * The people who commit with a personal email on feature branches (every seventh person),
 * and that email: exported so the demo's people file can list them, as an organisation that
 * had noticed would.
 */
export function gitlabPersonalEmails(org: DemoOrg): Map<string, string> {
  return new Map(org.people.filter((_, i) => i % 7 === 2).map((p) => [p.id, personalEmail(p)]));
}

export function createGitlabStore(org: DemoOrg, options: GitlabStoreOptions = {}): GitlabStore {
  const webUrl = (options.webUrl ?? 'https://gitlab.com').replace(/\/+$/, '');
  const people = new Map(org.people.map((p) => [p.id, p]));
  const personalCommitters = new Set(gitlabPersonalEmails(org).keys());
  const teams = new Map(org.teams.map((t) => [t.slug, t]));

  const byRepo = new Map<string, DemoModel[]>();
  for (const model of org.models) {
    if (model.repository.host !== 'gitlab') continue;
    const list = byRepo.get(model.repository.fullName);
    if (list) list.push(model);
    else byRepo.set(model.repository.fullName, [model]);
  }
  const fullNames = [...byRepo.keys()].sort();

  // Groups: every namespace on the way to a project, parents first.
  const groupPaths = new Set<string>();
  for (const fullName of fullNames) {
    const segments = fullName.split('/').slice(0, -1);
    for (let i = 1; i <= segments.length; i++) groupPaths.add(segments.slice(0, i).join('/'));
  }
  const groups: GitlabGroupRecord[] = [];
  const groupByPath = new Map<string, GitlabGroupRecord>();
  [...groupPaths]
    .sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b))
    .forEach((fullPath, i) => {
      const path = fullPath.slice(fullPath.lastIndexOf('/') + 1);
      const parent = fullPath.includes('/') ? groupByPath.get(fullPath.slice(0, fullPath.lastIndexOf('/'))) : undefined;
      const group: GitlabGroupRecord = {
        id: 10_480_000 + i * 13,
        name: parent ? (teams.get(path)?.name ?? titleCase(path)) : `${org.name.split(' ')[0]} Data`,
        path,
        fullPath,
        parentId: parent?.id ?? null,
        // Groups are public so that anonymous clients can list their public projects.
        visibility: 'public',
      };
      groups.push(group);
      groupByPath.set(fullPath.toLowerCase(), group);
    });

  const noCodeowners = pickProject(fullNames, (n) => n.split('/')[1] === 'research') ?? fullNames[fullNames.length - 1];
  const twoCodeowners = pickProject(
    fullNames.filter((n) => n !== noCodeowners),
    (n) => n.split('/')[1] === 'supply-chain',
  );

  const projects = fullNames.map((fullName, index) =>
    buildProject({
      org,
      fullName,
      index,
      models: byRepo.get(fullName)!,
      namespace: groupByPath.get(fullName.slice(0, fullName.lastIndexOf('/')).toLowerCase())!,
      webUrl,
      people,
      personalCommitters,
      teams,
      codeowners: fullName === noCodeowners ? 'none' : fullName === twoCodeowners ? 'two' : 'one',
    }),
  );
  // At least one public project, so that anonymous access has something to show.
  if (projects.length > 0 && !projects.some((p) => p.visibility === 'public')) {
    const last = projects[projects.length - 1]!;
    last.visibility = 'public';
    last.dto.visibility = 'public';
  }

  const projectById = new Map<string, GitlabProjectRecord>();
  for (const p of projects) {
    projectById.set(String(p.id), p);
    projectById.set(p.fullName.toLowerCase(), p);
  }
  const groupById = new Map<string, GitlabGroupRecord>();
  for (const g of groups) {
    groupById.set(String(g.id), g);
    groupById.set(g.fullPath.toLowerCase(), g);
  }

  const resolveRef = (project: GitlabProjectRecord, ref: string): GitlabCommitRecord | undefined => {
    const name = ref === 'HEAD' ? DEFAULT_BRANCH : ref;
    const branch = project.branches.get(name);
    if (branch) return branch[branch.length - 1];
    if (!/^[0-9a-f]{4,40}$/i.test(name)) return undefined;
    const lower = name.toLowerCase();
    const exact = project.commits.get(lower);
    if (exact) return exact;
    const matches = [...project.commits.values()].filter((c) => c.sha.startsWith(lower));
    // An ambiguous abbreviation resolves to nothing, as in git.
    return matches.length === 1 ? matches[0] : undefined;
  };

  // One user per person. Every other person shows their work email on their profile (GitLab's
  // "public email"), the only email a search by a regular user matches; people who have left
  // are blocked, and still author their old commits.
  const users: GitlabUser[] = org.people.map((person, i) => ({
    id: 2_300_000 + (hashSeed('gitlab-user', person.id) % 9_000_000),
    username: person.gitlabUsername,
    name: person.displayName,
    state: person.active ? 'active' : 'blocked',
    web_url: `${webUrl}/${person.gitlabUsername}`,
    public_email: i % 2 === 0 ? person.email : '',
  }));

  return {
    webUrl,
    groups,
    projects,
    users,
    findProject: (id) => projectById.get(id.toLowerCase()),
    findGroup: (id) => groupById.get(id.toLowerCase()),
    projectsOf: (group, includeSubgroups) =>
      projects.filter((p) =>
        includeSubgroups
          ? p.namespace.fullPath === group.fullPath || p.namespace.fullPath.startsWith(`${group.fullPath}/`)
          : p.namespace.id === group.id,
      ),
    resolveRef,
    history(project, ref) {
      const head = resolveRef(project, ref);
      if (!head) return undefined;
      const line = project.branches.get(head.branch)!;
      return line.slice(0, line.indexOf(head) + 1).reverse();
    },
  };
}

function pickProject(fullNames: string[], wanted: (fullName: string) => boolean): string | undefined {
  return fullNames.find(wanted) ?? fullNames[0];
}

// ---- one project ------------------------------------------------------------------------

interface ProjectInput {
  org: DemoOrg;
  fullName: string;
  index: number;
  models: DemoModel[];
  namespace: GitlabGroupRecord;
  webUrl: string;
  people: Map<string, DemoPerson>;
  personalCommitters: Set<string>;
  teams: Map<string, DemoTeam>;
  codeowners: 'none' | 'one' | 'two';
}

interface RecordedCommit {
  sha: string;
  branch: string;
  firstStart: number;
  run: DemoRun;
  model: DemoModel;
}

function buildProject(input: ProjectInput): GitlabProjectRecord {
  const { org, fullName, models, namespace, webUrl, people } = input;
  const rng = new Prng(hashSeed(org.seed, 'gitlab', fullName));
  const team = input.teams.get(models[0]!.team);
  const members = org.people.filter((p) => p.team === models[0]!.team);
  const owners = models.map((m) => (m.ownerId ? people.get(m.ownerId) : undefined)).filter((p): p is DemoPerson => Boolean(p));
  const owner = owners[0] ?? members.find((p) => p.active) ?? org.people[0]!;
  const path = fullName.slice(fullName.lastIndexOf('/') + 1);
  const monorepo = models.length > 1 || models[0]!.repository.path !== undefined;

  // Runs that trained from this repository, in the order they started.
  const runs = models
    .flatMap((model) => model.experiments.flatMap((e) => e.runs.map((run) => ({ run, model }))))
    .filter(({ run }) => run.git !== undefined)
    .sort((a, b) => a.run.startTime - b.run.startTime || a.run.id.localeCompare(b.run.id));
  const earliest = Math.min(
    ...models.flatMap((m) => m.experiments.map((e) => e.creationTime)),
    ...runs.map(({ run }) => run.startTime),
  );
  const createdAt = earliest - rng.int(10, 60) * DAY - rng.int(0, 23) * HOUR - rng.int(0, 59) * MINUTE;
  const webBase = `${webUrl}/${fullName}`;

  // ---- commits
  const recorded = new Map<string, RecordedCommit>();
  for (const { run, model } of runs) {
    const sha = run.git!.commit;
    if (!recorded.has(sha)) recorded.set(sha, { sha, branch: run.git!.branch, firstStart: run.startTime, run, model });
  }
  const initialTime = createdAt + rng.int(5, 50) * MINUTE;
  const initial = makeCommit({
    sha: new Prng(hashSeed(org.seed, 'gitlab-initial', fullName)).hex(40),
    branch: DEFAULT_BRANCH,
    authored: initialTime,
    committed: initialTime,
    author: owner,
    email: owner.email,
    title: 'Initial commit',
    body: monorepo ? `Shared repository for the models of ${team?.name ?? namespace.name}.` : undefined,
    webBase,
    rng,
  });
  const commits: GitlabCommitRecord[] = [initial];
  for (const rec of recorded.values()) {
    const crng = new Prng(hashSeed(org.seed, 'gitlab-commit', rec.sha));
    const authored = Math.max(initialTime + MINUTE, rec.firstStart - crng.int(20, 72 * 60) * MINUTE);
    const committed = Math.max(authored, Math.min(authored + crng.int(0, 90) * MINUTE, rec.firstStart - MINUTE));
    // The person who ran it wrote it; a CI run's commit was pushed by someone in the team.
    const person = (rec.run.personId ? people.get(rec.run.personId) : undefined) ?? pickActive(crng, members, owner);
    const personal = rec.branch !== DEFAULT_BRANCH && input.personalCommitters.has(person.id);
    const title = commitTitle(crng, rec, monorepo);
    commits.push(
      makeCommit({
        sha: rec.sha,
        branch: rec.branch,
        authored,
        committed,
        author: person,
        email: personal ? personalEmail(person) : person.email,
        title,
        body: crng.chance(0.4) ? crng.pick(COMMIT_BODIES) : undefined,
        webBase,
        rng: crng,
      }),
    );
  }
  commits.sort((a, b) => a.time - b.time || a.sha.localeCompare(b.sha));

  // Histories: main is linear; a topic branch forks from main at its first commit.
  const main = commits.filter((c) => c.branch === DEFAULT_BRANCH);
  const branches = new Map<string, GitlabCommitRecord[]>([[DEFAULT_BRANCH, main]]);
  for (const c of commits) {
    if (c.branch === DEFAULT_BRANCH || branches.has(c.branch)) continue;
    const own = commits.filter((x) => x.branch === c.branch);
    const base = main.filter((m) => m.time <= own[0]!.time);
    branches.set(c.branch, [...base, ...own]);
  }
  for (const line of branches.values()) {
    line.forEach((c, i) => {
      // A commit's parent is the one before it on its own branch (or the fork point).
      if (c.branch === line[line.length - 1]!.branch && i > 0 && c.dto.parent_ids!.length === 0) {
        c.dto.parent_ids = [line[i - 1]!.sha];
      }
    });
  }
  const lastActivityAt = Math.max(...commits.map((c) => c.time));

  // ---- files (all added by the initial commit)
  const files = new Map<string, GitlabFileRecord>();
  const addFile = (filePath: string, content: string) =>
    files.set(filePath, { path: filePath, content, lastCommitId: initial.sha });
  const name = monorepo ? 'Models' : (models[0]!.displayName ?? titleCase(path));
  const description = monorepo ? `Models of the ${team?.name ?? namespace.name} team.` : models[0]!.description;
  addFile('README.md', `# ${name}\n\n${description}\n`);
  let codeownersPath: string | null = null;
  if (input.codeowners !== 'none') {
    const groupHandle = `@${namespace.fullPath}`;
    const others = members.filter((p) => p.active && p.id !== owner.id);
    const second = others[0] ?? owner;
    const third = others[1] ?? second;
    const content = codeownersContent({ fullName, groupHandle, topGroup: `@${org.gitlabGroup}`, owner, second, third, models, monorepo, people });
    if (input.codeowners === 'two') {
      codeownersPath = 'docs/CODEOWNERS';
      addFile('docs/CODEOWNERS', content);
      // Left behind by an older layout; GitLab reads docs/ first and ignores this one.
      addFile('.gitlab/CODEOWNERS', `# Superseded by docs/CODEOWNERS.\n* ${`@${org.gitlabGroup}`}\n`);
    } else {
      codeownersPath = rng.weighted([
        ['CODEOWNERS', 5],
        ['docs/CODEOWNERS', 2],
        ['.gitlab/CODEOWNERS', 3],
      ] as const);
      addFile(codeownersPath, content);
    }
  }

  // ---- the project entity
  const visibility = rng.weighted<GitlabVisibility>([
    ['internal', 6],
    ['private', 3],
    ['public', 1],
  ]);
  const archived = owners.length > 0 && owners.length === models.length && owners.every((p) => !p.active);
  const topics = monorepo
    ? ['machine-learning', 'monorepo', models[0]!.team]
    : ['machine-learning', models[0]!.task, models[0]!.team];
  const id = 48_800_000 + input.index * 7 + 3;
  const host = new URL(webUrl).host;
  const ns: GitlabNamespace = {
    id: namespace.id,
    name: namespace.name,
    path: namespace.path,
    kind: 'group',
    full_path: namespace.fullPath,
    parent_id: namespace.parentId,
    avatar_url: null,
    web_url: `${webUrl}/groups/${namespace.fullPath}`,
  };
  const dto: GitlabProject & Record<string, unknown> = {
    id,
    description,
    name,
    name_with_namespace: `${namespaceNames(namespace, input)} / ${name}`,
    path,
    path_with_namespace: fullName,
    created_at: new Date(createdAt).toISOString(),
    default_branch: DEFAULT_BRANCH,
    tag_list: topics,
    topics,
    ssh_url_to_repo: `git@${host}:${fullName}.git`,
    http_url_to_repo: `${webBase}.git`,
    web_url: webBase,
    readme_url: `${webBase}/-/blob/${DEFAULT_BRANCH}/README.md`,
    forks_count: 0,
    avatar_url: null,
    star_count: rng.int(0, 6),
    last_activity_at: new Date(lastActivityAt).toISOString(),
    namespace: ns,
    container_registry_image_prefix: `registry.${host}/${fullName}`,
    _links: {
      self: `${webUrl}/api/v4/projects/${id}`,
      issues: `${webUrl}/api/v4/projects/${id}/issues`,
      merge_requests: `${webUrl}/api/v4/projects/${id}/merge_requests`,
      repo_branches: `${webUrl}/api/v4/projects/${id}/repository/branches`,
      labels: `${webUrl}/api/v4/projects/${id}/labels`,
      events: `${webUrl}/api/v4/projects/${id}/events`,
      members: `${webUrl}/api/v4/projects/${id}/members`,
    },
    empty_repo: false,
    archived,
    visibility,
    creator_id: 1_000_000 + (org.people.indexOf(owner) + 1),
    issues_enabled: true,
    merge_requests_enabled: true,
    open_issues_count: rng.int(0, 12),
    import_status: 'none',
  };

  return {
    id,
    fullName,
    namespace,
    visibility,
    archived,
    createdAt,
    lastActivityAt,
    dto,
    commits: new Map(commits.map((c) => [c.sha, c])),
    branches,
    files,
    codeownersPath,
    modelKeys: models.map((m) => m.key),
  };
}

function makeCommit(input: {
  sha: string;
  branch: string;
  authored: number;
  committed: number;
  author: DemoPerson;
  email: string;
  title: string;
  body?: string;
  webBase: string;
  rng: Prng;
}): GitlabCommitRecord {
  const { sha, author } = input;
  const additions = input.rng.int(1, 240);
  const deletions = input.rng.int(0, Math.max(1, Math.floor(additions / 2)));
  const committed = gitDate(input.committed);
  return {
    sha,
    branch: input.branch,
    time: input.committed,
    dto: {
      id: sha,
      short_id: sha.slice(0, 8),
      // `created_at` is always `committed_date` (`doc/api/commits.md`, "Responses").
      created_at: committed,
      parent_ids: [],
      title: input.title,
      message: input.body ? `${input.title}\n\n${input.body}\n` : `${input.title}\n`,
      author_name: author.displayName,
      author_email: input.email,
      authored_date: gitDate(input.authored),
      committer_name: author.displayName,
      committer_email: input.email,
      committed_date: committed,
      trailers: {},
      extended_trailers: {},
      web_url: `${input.webBase}/-/commit/${sha}`,
      stats: { additions, deletions, total: additions + deletions },
      status: null,
      last_pipeline: null,
    },
  };
}

/** Git keeps the author's UTC offset; GitLab renders it with milliseconds (`…T09:15:00.000+00:00`). */
function gitDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

function personalEmail(person: DemoPerson): string {
  const [first, last] = person.id.split('.');
  return `${first}.${(last ?? '').charAt(0)}@gmail.com`;
}

function pickActive(rng: Prng, members: DemoPerson[], fallback: DemoPerson): DemoPerson {
  const active = members.filter((p) => p.active);
  return active.length > 0 ? rng.pick(active) : fallback;
}

function namespaceNames(namespace: GitlabGroupRecord, input: ProjectInput): string {
  const top = `${input.org.name.split(' ')[0]} Data`;
  return namespace.parentId === null ? top : `${top} / ${namespace.name}`;
}

function titleCase(slug: string): string {
  return slug
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

const COMMIT_TITLES = [
  'Retrain on the latest quarter of data',
  'Add holiday features to the feature set',
  'Fix label leakage in the training split',
  'Tune hyperparameters from the sweep',
  'Add calibration of the output scores',
  'Log evaluation metrics to MLflow',
  'Speed up training data loading',
  'Drop features deprecated by the data team',
  'Pin training dependencies',
  'Refactor the feature pipeline',
  'Handle missing values in store features',
  'Add early stopping',
];

const COMMIT_BODIES = [
  'Validation loss stopped improving after a few epochs; this keeps the best checkpoint.',
  'The upstream table changed its partitioning; read it by date instead.',
  'Agreed in the model review.',
  'Numbers are in the MLflow run linked from the merge request.',
];

function commitTitle(rng: Prng, rec: RecordedCommit, monorepo: boolean): string {
  let title = rng.pick(COMMIT_TITLES);
  if (rec.branch.startsWith('exp/')) title = `WIP: ${title.charAt(0).toLowerCase()}${title.slice(1)}`;
  return monorepo ? `${rec.model.key}: ${title}` : title;
}

// ---- CODEOWNERS ---------------------------------------------------------------------------

/**
 * A CODEOWNERS file in GitLab's syntax (`doc/user/project/codeowners/reference.md`): rules
 * before the first section form the unnamed default section; `[Section][2] @a @b` requires two
 * approvals and gives default owners to the section's rules that name none; `^[Section]` is
 * optional; within a section the last matching rule wins.
 */
function codeownersContent(input: {
  fullName: string;
  groupHandle: string;
  topGroup: string;
  owner: DemoPerson;
  second: DemoPerson;
  third: DemoPerson;
  models: DemoModel[];
  monorepo: boolean;
  people: Map<string, DemoPerson>;
}): string {
  const { groupHandle, topGroup, owner, second, third } = input;
  const at = (p: DemoPerson) => `@${p.gitlabUsername}`;
  const lines = [
    `# Code owners of ${input.fullName}.`,
    '# Syntax: https://docs.gitlab.com/user/project/codeowners/reference/',
    '',
    `* ${groupHandle}`,
  ];
  if (input.monorepo) {
    for (const model of input.models) {
      const modelOwner = (model.ownerId ? input.people.get(model.ownerId) : undefined) ?? owner;
      lines.push(`/models/${model.key}/ ${at(modelOwner)}`);
    }
  } else {
    // Later than `*`, so it wins for everything under /models/.
    lines.push(`/models/ ${at(owner)}`);
  }
  lines.push(
    '',
    `[Model][2] ${at(owner)} ${at(second)}`,
    '/src/',
    '/training/',
    '# The training configuration is the model owner\'s alone: this later rule overrides /training/.',
    `/training/config.yaml ${at(owner)}`,
    '',
    `^[Documentation] ${at(third)}`,
    '*.md',
    '/docs/',
    '',
    `[Data pipelines] ${groupHandle}`,
    '/features/',
    `/pipelines/ ${at(second)} ${groupHandle}`,
    '',
    `[CI] ${topGroup}`,
    '.gitlab-ci.yml',
    '',
  );
  return lines.join('\n');
}

/** Git's blob id: sha1 of `blob <size>\0<content>`. */
export function gitBlobId(content: string): string {
  const body = Buffer.from(content, 'utf8');
  return createHash('sha1').update(`blob ${body.length}\0`).update(body).digest('hex');
}
