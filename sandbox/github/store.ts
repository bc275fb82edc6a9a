/**
 * The GitHub organisation of a DemoOrg: its repositories, the commits MLflow runs trained
 * from, and CODEOWNERS files, built once and deterministically (the same org gives a
 * deep-equal store on every machine; times come from the org, never the clock).
 *
 * - Repositories: one per distinct GitHub repository of the org's models; a monorepo
 *   (`<team>-models`) is shared by several models. Default branch as the models record it.
 * - Commits: every `mlflow.source.git.commit` of a run on a GitHub repository, authored by
 *   the person who ran it (or, for service-account runs, the model's owner) before the run
 *   started, on the branch the run recorded; plus one initial commit per repository. Some
 *   default-branch commits were squash-merged in the web UI, so their committer is GitHub.
 * - CODEOWNERS: GitHub syntax (team and user owners, comments, an email owner, an unowned
 *   path, later rules overriding earlier ones) in `.github/`, the root and `docs/`.
 *
 * Deliberate gaps, as in a real organisation:
 * - ONE repository has no CODEOWNERS anywhere (the first one whose model has no owner,
 *   else the last by name): see {@link GithubSandboxStore.repositoriesWithoutCodeOwners}.
 * - every monorepo also keeps a stale `docs/CODEOWNERS` naming a team that no longer exists;
 *   GitHub reads `.github/CODEOWNERS` first and ignores it.
 * - ONE person commits with a personal email that differs from their work email (GitHub
 *   still links the commits to their login): see {@link GithubSandboxStore.personalEmails}.
 */
import { createHash } from 'node:crypto';
import type { DemoModel, DemoOrg, DemoPerson } from '../demo-org';
import { hashSeed, Prng } from '../prng';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export type CodeOwnersLocation = '.github/CODEOWNERS' | 'CODEOWNERS' | 'docs/CODEOWNERS';

export interface GitSignature {
  name: string;
  email: string;
  /** Epoch ms. */
  date: number;
}

export interface SandboxCommit {
  sha: string;
  message: string;
  author: GitSignature;
  committer: GitSignature;
  /** The GitHub login GitHub matched the author's email to; null when none. */
  authorLogin: string | null;
  /** `web-flow` for commits made in the web UI (squash merges). */
  committerLogin: string | null;
  /** First parent first; empty for the initial commit. */
  parents: string[];
  branch: string;
  /** Paths the commit touched. */
  files: string[];
  additions: number;
  deletions: number;
}

export interface SandboxRepository {
  id: number;
  name: string;
  /** `acme-ml/fraud-detector` */
  fullName: string;
  owner: string;
  description: string;
  topics: string[];
  visibility: 'public' | 'private' | 'internal';
  defaultBranch: string;
  archived: boolean;
  /** Epoch ms. */
  createdAt: number;
  pushedAt: number;
  /** Keys of the models whose code lives here. */
  models: string[];
  /** Newest first. */
  commits: SandboxCommit[];
  bySha: Map<string, SandboxCommit>;
  /** Branch name -> its newest commit. */
  heads: Map<string, SandboxCommit>;
  /** Path -> text; the same at every ref (the sandbox keeps no history of file contents). */
  files: Map<string, string>;
  /** The CODEOWNERS file GitHub uses here, or null when there is none. */
  codeOwnersPath: CodeOwnersLocation | null;
}

export interface GithubSandboxStore {
  /** The organisation login, e.g. `acme-ml`. */
  org: string;
  orgId: number;
  /** Sorted by full name. */
  repositories: SandboxRepository[];
  /** Case-insensitive, as GitHub resolves names. */
  findRepository(owner: string, name: string): SandboxRepository | undefined;
  findRepositoryById(id: number): SandboxRepository | undefined;
  /** GitHub user id per login (people, and GitHub's `web-flow`). */
  userIds: Map<string, number>;
  /** Person id -> the personal email they commit with instead of their work email. */
  personalEmails: Map<string, string>;
  /** Full names of the repositories without any CODEOWNERS file. */
  repositoriesWithoutCodeOwners: string[];
}

/** GitHub's account for commits made in the web UI. */
export const WEB_FLOW = { login: 'web-flow', id: 19864447, name: 'GitHub', email: 'noreply@github.com' } as const;

const MESSAGES = [
  'Retrain {model} on the latest quarter of data',
  'Tune hyperparameters for {model}',
  'Add holiday features to {model}',
  'Fix label leakage in {model} training data',
  'Calibrate {model} output scores',
  'Bump xgboost and lightgbm',
  'Speed up feature extraction for {model}',
  'Add class weights to {model}',
  'Drop stale features from {model}',
  'Log evaluation metrics per segment',
  'Backfill training data for {model}',
  'Early stopping on validation loss',
] as const;

const MESSAGE_BODIES = [
  'The previous run overfit on the last month; see the validation curves in MLflow.',
  'Reviewed with the model owner. No change to the serving signature.',
  'Training time drops by about a third on the standard instance type.',
] as const;

/**
 * Who authored each commit sha of the org's GitHub repositories (the person behind its
 * earliest run), and the one person who commits with a personal email instead of their work
 * email: the first (in org order) with two commits. Exported so the demo's people file can
 * list that email, as an organisation that had noticed it would.
 */
export function githubCommitters(org: DemoOrg): { commitAuthors: Map<string, DemoPerson>; personalEmails: Map<string, string> } {
  const people = new Map(org.people.map((p) => [p.id, p]));
  const commitAuthors = new Map<string, DemoPerson>();
  const models = org.models
    .filter((m) => m.repository.host === 'github')
    .sort((a, b) => (a.repository.fullName < b.repository.fullName ? -1 : a.repository.fullName > b.repository.fullName ? 1 : 0));
  for (const model of models) {
    for (const run of model.experiments.flatMap((e) => e.runs).sort((a, b) => a.startTime - b.startTime)) {
      if (!run.git || commitAuthors.has(run.git.commit)) continue;
      const person = run.personId ? people.get(run.personId) : undefined;
      if (person) commitAuthors.set(run.git.commit, person);
    }
  }
  const commitCounts = new Map<string, number>();
  for (const person of commitAuthors.values()) commitCounts.set(person.id, (commitCounts.get(person.id) ?? 0) + 1);
  const personal = org.people.find((p) => (commitCounts.get(p.id) ?? 0) >= 2);
  const personalEmails = new Map<string, string>();
  if (personal) personalEmails.set(personal.id, `${personal.id.replace('.', '')}@gmail.com`);
  return { commitAuthors, personalEmails };
}

export function createGithubStore(org: DemoOrg): GithubSandboxStore {
  const rng = new Prng(hashSeed('github', org.seed));
  const people = new Map(org.people.map((p) => [p.id, p]));
  const teams = new Map(org.teams.map((t) => [t.slug, t]));

  // One repository per distinct GitHub full name, in the order models name them.
  const groups = new Map<string, DemoModel[]>();
  for (const model of org.models) {
    if (model.repository.host !== 'github') continue;
    const list = groups.get(model.repository.fullName);
    if (list) list.push(model);
    else groups.set(model.repository.fullName, [model]);
  }
  const fullNames = [...groups.keys()].sort();

  // The one deliberate repository without CODEOWNERS: a model nobody owns is the realistic case.
  const ownerless = fullNames.find((name) => groups.get(name)!.some((m) => m.ownerId === null));
  const withoutCodeOwners = fullNames.length > 1 ? (ownerless ?? fullNames[fullNames.length - 1]!) : undefined;

  const { commitAuthors, personalEmails } = githubCommitters(org);

  const userIds = new Map<string, number>([[WEB_FLOW.login, WEB_FLOW.id]]);
  for (const person of org.people) userIds.set(person.githubLogin, 100_000 + (hashSeed('github-user', person.id) % 90_000_000));

  let codeOwnersIndex = 0;
  const repositories = fullNames.map((fullName, index) => {
    const models = groups.get(fullName)!;
    const monorepo = models.length > 1 || Boolean(models[0]!.repository.path);
    let location: CodeOwnersLocation | null = null;
    if (fullName !== withoutCodeOwners) {
      location = monorepo ? '.github/CODEOWNERS' : CODEOWNERS_ROTATION[codeOwnersIndex++ % CODEOWNERS_ROTATION.length]!;
    }
    return buildRepository(rng.fork('repo', fullName), {
      org,
      fullName,
      index,
      models,
      monorepo,
      location,
      people,
      teamName: (slug) => teams.get(slug)?.name ?? slug,
      commitAuthors,
      personalEmails,
    });
  });

  const byName = new Map(repositories.map((r) => [r.fullName.toLowerCase(), r]));
  const byId = new Map(repositories.map((r) => [r.id, r]));
  return {
    org: org.githubOrg,
    orgId: 70_000_000 + (hashSeed('github-org', org.githubOrg) % 1_000_000),
    repositories,
    findRepository: (owner, name) => byName.get(`${owner}/${name}`.toLowerCase()),
    findRepositoryById: (id) => byId.get(id),
    userIds,
    personalEmails,
    repositoriesWithoutCodeOwners: withoutCodeOwners ? [withoutCodeOwners] : [],
  };
}

/** Single-model repositories cycle through GitHub's three locations. */
const CODEOWNERS_ROTATION: CodeOwnersLocation[] = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'];

interface RepositoryInput {
  org: DemoOrg;
  fullName: string;
  index: number;
  models: DemoModel[];
  monorepo: boolean;
  location: CodeOwnersLocation | null;
  people: Map<string, DemoPerson>;
  teamName: (slug: string) => string;
  commitAuthors: Map<string, DemoPerson>;
  personalEmails: Map<string, string>;
}

interface PendingCommit {
  sha: string;
  model: DemoModel;
  branch: string;
  firstRunStart: number;
  person: DemoPerson;
  folder: string;
}

function buildRepository(rng: Prng, input: RepositoryInput): SandboxRepository {
  const { fullName, models, monorepo, org } = input;
  const [owner, name] = fullName.split('/') as [string, string];
  const lead = models[0]!;
  const team = lead.team;
  const defaultBranch = lead.repository.defaultBranch;

  // The commits the runs recorded, each with its earliest run.
  const pending = new Map<string, PendingCommit>();
  for (const model of models) {
    for (const run of model.experiments.flatMap((e) => e.runs)) {
      if (!run.git) continue;
      const seen = pending.get(run.git.commit);
      if (seen && seen.firstRunStart <= run.startTime) continue;
      pending.set(run.git.commit, {
        sha: run.git.commit,
        model,
        branch: run.git.branch,
        firstRunStart: run.startTime,
        person: input.commitAuthors.get(run.git.commit) ?? fallbackAuthor(model, input),
        folder: model.repository.path ?? '',
      });
    }
  }

  const commits: SandboxCommit[] = [];
  for (const p of [...pending.values()].sort((a, b) => a.firstRunStart - b.firstRunStart || cmp(a.sha, b.sha))) {
    const c = rng.fork('commit', p.sha);
    const authored = p.firstRunStart - c.int(30, 72 * 60) * MINUTE;
    const webMerge = p.branch === defaultBranch && c.chance(0.35);
    // Committed before the run started: the run trained from this commit.
    const committed = Math.min(p.firstRunStart - MINUTE, authored + (webMerge ? c.int(5, 600) : c.int(0, 3)) * MINUTE);
    const author = signature(p.person, authored, input.personalEmails);
    const prNumber = 10 + c.int(0, 400);
    const subject = c.pick(MESSAGES).replace('{model}', p.model.key) + (webMerge ? ` (#${prNumber})` : '');
    const message = c.chance(0.4) ? `${subject}\n\n${c.pick(MESSAGE_BODIES)}` : subject;
    const file = p.folder ? `${p.folder}/train.py` : 'train.py';
    commits.push({
      sha: p.sha,
      message,
      author,
      committer: webMerge ? { name: WEB_FLOW.name, email: WEB_FLOW.email, date: committed } : { ...author, date: committed },
      authorLogin: p.person.githubLogin,
      committerLogin: webMerge ? WEB_FLOW.login : p.person.githubLogin,
      parents: [],
      branch: p.branch,
      files: c.chance(0.5) ? [file] : [file, p.folder ? `${p.folder}/features.py` : 'features.py'],
      additions: c.int(1, 240),
      deletions: c.int(0, 120),
    });
  }

  // The initial commit: the repository's README, CODEOWNERS and model folders.
  const firstActivity = commits.length ? Math.min(...commits.map((c) => c.author.date)) : org.epochMs + 30 * DAY;
  const createdAt = firstActivity - rng.int(2, 20) * DAY - rng.int(0, 8) * HOUR;
  const founder = lead.ownerId ? input.people.get(lead.ownerId)! : fallbackAuthor(lead, input);
  const files = repositoryFiles(input, owner, team);
  const initialAuthor = signature(founder, createdAt + 10 * MINUTE, input.personalEmails);
  const initial: SandboxCommit = {
    sha: rng.hex(40),
    message: 'Initial commit',
    author: initialAuthor,
    committer: initialAuthor,
    authorLogin: founder.githubLogin,
    committerLogin: founder.githubLogin,
    parents: [],
    branch: defaultBranch,
    files: [...files.keys()],
    additions: [...files.values()].reduce((n, text) => n + text.split('\n').length, 0),
    deletions: 0,
  };

  // History: the default branch is one chain from the initial commit; every other branch
  // forks from the newest default-branch commit older than its own first commit.
  const all = [initial, ...commits].sort((a, b) => a.committer.date - b.committer.date || cmp(a.sha, b.sha));
  const mainline = all.filter((c) => c.branch === defaultBranch || c === initial);
  mainline.forEach((c, i) => {
    if (i > 0) c.parents = [mainline[i - 1]!.sha];
  });
  const heads = new Map<string, SandboxCommit>([[defaultBranch, mainline[mainline.length - 1]!]]);
  const branches = new Set(all.filter((c) => c.branch !== defaultBranch && c !== initial).map((c) => c.branch));
  for (const branch of [...branches].sort()) {
    const chain = all.filter((c) => c.branch === branch && c !== initial);
    const base = [...mainline].reverse().find((c) => c.committer.date <= chain[0]!.committer.date) ?? initial;
    chain.forEach((c, i) => {
      c.parents = [i === 0 ? base.sha : chain[i - 1]!.sha];
    });
    heads.set(branch, chain[chain.length - 1]!);
  }

  const newestFirst = [...all].reverse();
  const id = 600_000_000 + (hashSeed('github-repo', fullName) % 300_000_000);
  const task = lead.task;
  return {
    id,
    name,
    fullName,
    owner,
    description: monorepo
      ? `Models of the ${input.teamName(team)} team: ${models.map((m) => m.key).join(', ')}.`
      : lead.description,
    topics: monorepo ? ['machine-learning', 'mlflow', 'monorepo', team] : ['machine-learning', 'mlflow', team, task],
    // ML Platform open-sources its tools; monorepos are shared across the company.
    visibility: team === 'ml-platform' ? 'public' : monorepo ? 'internal' : 'private',
    defaultBranch,
    archived: false,
    createdAt,
    pushedAt: newestFirst[0]!.committer.date,
    models: models.map((m) => m.key),
    commits: newestFirst,
    bySha: new Map(all.map((c) => [c.sha, c])),
    heads,
    files,
    codeOwnersPath: input.location,
  };
}

/** Who wrote the code a service account trained from: the model's owner, else a teammate. */
function fallbackAuthor(model: DemoModel, input: RepositoryInput): DemoPerson {
  const owner = model.ownerId ? input.people.get(model.ownerId) : undefined;
  if (owner) return owner;
  const all = [...input.people.values()];
  return all.find((p) => p.team === model.team && p.active) ?? all.find((p) => p.team === model.team) ?? all[0]!;
}

function signature(person: DemoPerson, date: number, personalEmails: Map<string, string>): GitSignature {
  return { name: person.displayName, email: personalEmails.get(person.id) ?? person.email, date };
}

function repositoryFiles(input: RepositoryInput, orgLogin: string, team: string): Map<string, string> {
  const { models, monorepo, location, people } = input;
  const lead = models[0]!;
  const files = new Map<string, string>();
  files.set(
    'README.md',
    `# ${input.fullName.split('/')[1]}\n\n${monorepo ? `Models of the ${input.teamName(team)} team.` : lead.description}\n`,
  );
  for (const model of models) {
    const folder = model.repository.path ?? '';
    const prefix = folder ? `${folder}/` : '';
    files.set(`${prefix}train.py`, `"""Training entry point for ${model.key}."""\n\nimport mlflow\n\n\ndef main() -> None:\n    mlflow.autolog()\n\n\nif __name__ == "__main__":\n    main()\n`);
    files.set(`${prefix}pipelines/train.py`, `"""Scheduled training pipeline for ${model.key}."""\n`);
  }
  const login = (model: DemoModel): string | null => (model.ownerId ? (people.get(model.ownerId)?.githubLogin ?? null) : null);
  if (!location) return files;
  if (monorepo) {
    files.set(location, monorepoCodeOwners(input.fullName, orgLogin, team, models, login));
    // A leftover GitHub never reads, since .github/CODEOWNERS comes first.
    files.set(
      'docs/CODEOWNERS',
      `# Moved to .github/CODEOWNERS in the reorganisation.\n*       @${orgLogin}/data-science\n`,
    );
  } else {
    files.set(location, singleCodeOwners(input.fullName, orgLogin, team, login(lead), input.index, input.org.emailDomain));
  }
  return files;
}

/** Pads a pattern so the owners line up, as people write these files. */
function rule(pattern: string, owners: string[]): string {
  return owners.length ? `${pattern.padEnd(24)} ${owners.join(' ')}` : pattern;
}

function singleCodeOwners(
  fullName: string,
  org: string,
  team: string,
  ownerLogin: string | null,
  variant: number,
  emailDomain: string,
): string {
  const teamHandle = `@${org}/${team}`;
  const lines = [
    `# Code owners for ${fullName}`,
    '# Each line is a file pattern followed by one or more owners.',
    '# Order matters: the last matching pattern takes precedence.',
    '',
    '# The team owns everything by default.',
    rule('*', [teamHandle]),
    '',
    '# Model code: the model owner reviews as well.',
    rule('/src/', ownerLogin ? [teamHandle, `@${ownerLogin}`] : [teamHandle]),
    rule('/train.py', ownerLogin ? [`@${ownerLogin}`] : [teamHandle]),
    '',
    '# Training pipelines run on the ML Platform; overrides the rules above for them.',
    rule('/pipelines/', [`@${org}/ml-platform`]),
  ];
  if (variant % 2 === 0) {
    lines.push('', '# Model cards are signed off by governance.', rule('/docs/model_card.md', [`ml-governance@${emailDomain}`, teamHandle]));
  }
  if (variant % 3 === 1) {
    lines.push('', '# Generated snapshots have no owner.', rule('/data/snapshots/', []));
  }
  return `${lines.join('\n')}\n`;
}

function monorepoCodeOwners(
  fullName: string,
  org: string,
  team: string,
  models: DemoModel[],
  login: (model: DemoModel) => string | null,
): string {
  const teamHandle = `@${org}/${team}`;
  const lines = [
    `# Code owners for ${fullName}, shared by ${models.length} models.`,
    '# The last matching pattern wins, so the per-model rules below override /models/.',
    '',
    rule('*', [teamHandle]),
    rule('/models/', [`@${org}/ml-platform`]),
    '',
  ];
  for (const model of models) {
    const folder = `/${model.repository.path ?? `models/${model.key}`}/`;
    const owner = login(model);
    lines.push(rule(folder, owner ? [teamHandle, `@${owner}`] : [teamHandle]));
  }
  lines.push('', '# Pipelines stay with the platform team, whichever model they train.', rule('/models/*/pipelines/', [`@${org}/ml-platform`]));
  return `${lines.join('\n')}\n`;
}

/** Git's blob id of a file: sha1 over `blob <size>\0<content>`. */
export function gitBlobSha(content: string): string {
  const body = Buffer.from(content, 'utf8');
  return createHash('sha1').update(`blob ${body.length}\0`).update(body).digest('hex');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
