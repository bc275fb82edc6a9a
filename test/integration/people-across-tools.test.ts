import { configSchema } from '../../config/schema';
import { silentLogger } from '../../connectors/core/logger';
import { startStack, type Stack } from '../../gateway/stack';
import { demoPeopleAliases, sandboxConfig, startSandbox, type DemoPerson, type Sandbox } from '../../sandbox';
import { PeopleDirectory } from '../../subgraphs/common/identity';
import { githubCommitters } from '../../sandbox/github/store';
import { gitlabPersonalEmails } from '../../sandbox/gitlab/store';
import { postGraphql, startDemoGraph } from '../helpers/demo-graph';

/**
 * Every human of the demo organisation is exactly one `Person`, whichever tool names them:
 * MLflow run users and version creators, commit authors (work and personal emails, GitHub
 * accounts), Jira assignees and reporters, and code owners. Each reference is traced back to
 * the human the sandbox says it is (by the tool's own identity: an MLflow user id, a Jira
 * account id, a commit email, a CODEOWNERS handle), and must resolve to that human's id.
 */

let sandbox: Sandbox;
let stack: Stack;

beforeAll(async () => {
  sandbox = await startSandbox({ models: 36 });
  stack = await startDemoGraph(sandbox);
});

afterAll(async () => {
  await stack?.close();
  await sandbox?.close();
});

const PERSON = 'id displayName identities { tool nativeId }';

const EVERY_PERSON = /* GraphQL */ `
  {
    models(first: 100) {
      nodes {
        key
        tickets { assignee { ${PERSON} } assigneeIdentity { nativeId } reporter { ${PERSON} } reporterIdentity { nativeId } }
        codeOwners { handle kind person { ${PERSON} } }
        repository { lastCommit { sha author { ${PERSON} } authorIdentity { nativeId email } authorAccount { nativeId } } }
        mlflowVersions {
          creator { ${PERSON} }
          creatorId: createdBy
          run {
            user
            person { ${PERSON} }
            commit { sha author { ${PERSON} } authorIdentity { nativeId email } authorAccount { nativeId } }
          }
        }
      }
    }
  }
`;

interface Reference {
  where: string;
  /** The human the sandbox says this is; undefined for a service account. */
  human: DemoPerson | undefined;
  person: { id: string; displayName: string | null; identities: Array<{ tool: string; nativeId: string }> } | null;
}

describe('one person across every tool', () => {
  let references: Reference[];

  beforeAll(async () => {
    const { data, errors } = await postGraphql(stack.graphqlUrl, EVERY_PERSON);
    expect(errors).toBeUndefined();
    const people = sandbox.org.people;
    const byEmail = new Map<string, DemoPerson>(people.map((p) => [p.email.toLowerCase(), p]));
    for (const [id, email] of [...githubCommitters(sandbox.org).personalEmails, ...gitlabPersonalEmails(sandbox.org)]) {
      byEmail.set(email.toLowerCase(), people.find((p) => p.id === id)!);
    }
    const byJira = new Map(people.map((p) => [p.jiraAccountId, p]));
    const byMlflowUser = new Map(people.map((p) => [p.mlflowUserId.toLowerCase(), p]));
    const byHandle = new Map(people.flatMap((p) => [[`@${p.githubLogin}`.toLowerCase(), p], [`@${p.gitlabUsername}`.toLowerCase(), p]]));

    references = [];
    const commit = (where: string, c: any) => {
      if (!c) return;
      references.push({ where: `${where} commit ${c.sha} by ${c.authorIdentity?.email}`, human: byEmail.get(c.authorIdentity?.email?.toLowerCase()), person: c.author });
    };
    for (const model of data.models.nodes) {
      for (const t of model.tickets ?? []) {
        if (t.assigneeIdentity) references.push({ where: `${model.key} assignee`, human: byJira.get(t.assigneeIdentity.nativeId), person: t.assignee });
        if (t.reporterIdentity) references.push({ where: `${model.key} reporter`, human: byJira.get(t.reporterIdentity.nativeId), person: t.reporter });
      }
      for (const owner of model.codeOwners ?? []) {
        if (owner.kind === 'TEAM') continue;
        const human = owner.kind === 'EMAIL' ? byEmail.get(owner.handle.toLowerCase()) : byHandle.get(owner.handle.toLowerCase());
        references.push({ where: `${model.key} code owner ${owner.handle}`, human, person: owner.person });
      }
      commit(`${model.key} repository`, model.repository?.lastCommit);
      for (const version of model.mlflowVersions ?? []) {
        if (version.creatorId) {
          references.push({ where: `${model.key} version creator ${version.creatorId}`, human: byMlflowUser.get(version.creatorId.toLowerCase()), person: version.creator });
        }
        if (version.run?.user) {
          references.push({ where: `${model.key} run user ${version.run.user}`, human: byMlflowUser.get(version.run.user.toLowerCase()), person: version.run.person });
        }
        commit(`${model.key} run`, version.run?.commit);
      }
    }
  });

  it('traces enough of every kind of reference to mean something', () => {
    // MLflow OSS records no version creator (Databricks does), so creators are traced when present only.
    const kinds = ['assignee', 'reporter', 'code owner', 'repository commit', 'run commit', 'run user'];
    const thin = kinds.filter((kind) => references.filter((r) => r.where.includes(kind) && r.human).length < 5);
    expect(thin).toEqual([]);
    // The seeded personal emails are among the commits traced.
    expect(references.some((r) => r.where.includes('@gmail.com') && r.human)).toBe(true);
  });

  it('resolves each reference to a human to that human, named as the people file names them', () => {
    const wrong = references
      .filter((r) => r.human)
      .filter((r) => r.person?.id !== r.human!.email.toLowerCase() || r.person?.displayName !== r.human!.displayName)
      .map((r) => `${r.where}: ${r.person?.id} (${r.person?.displayName}), expected ${r.human!.email}`);
    expect(wrong).toEqual([]);
  });

  it('gives each human one id, and each id one human', () => {
    const idsOfHuman = new Map<string, Set<string>>();
    const humansOfId = new Map<string, Set<string>>();
    for (const r of references) {
      if (!r.human || !r.person) continue;
      idsOfHuman.set(r.human.id, (idsOfHuman.get(r.human.id) ?? new Set()).add(r.person.id));
      humansOfId.set(r.person.id, (humansOfId.get(r.person.id) ?? new Set()).add(r.human.id));
    }
    expect([...idsOfHuman.values()].filter((ids) => ids.size !== 1)).toEqual([]);
    expect([...humansOfId.values()].filter((humans) => humans.size !== 1)).toEqual([]);
    // Every id a tool's reference resolved to is a human's or a service account's: no third kind.
    const humanIds = new Set(sandbox.org.people.map((p) => p.email.toLowerCase()));
    const services = new Set(sandbox.org.serviceAccounts.map((s) => s.mlflowUserId.toLowerCase()));
    const strays = references
      .map((r) => r.person?.id)
      .filter((id): id is string => !!id && !humanIds.has(id) && !services.has(id) && !services.has(id.replace(/^mlflow:[^:]+:/, '')));
    expect([...new Set(strays)]).toEqual([]);
  });
});

/**
 * GitLab's commit API names no GitLab user, so an email nobody has tied to a person is looked
 * up once (`GET /users?search=`): here the people file knows someone only by another email
 * (their HR address) and their GitLab login, and their commits carry their work email, which
 * their GitLab profile shows as its public email.
 */
describe("a GitLab commit's author, through the GitLab user whose public email it is", () => {
  let other: Stack;

  afterAll(async () => {
    await other?.close();
  });

  it('resolves the commit to the person of that GitLab login, asking GitLab once per email', async () => {
    const demo = sandboxConfig(sandbox);
    const aliases = demoPeopleAliases(sandbox.org);
    // People whose GitLab profile shows their work email (every other person in the sandbox).
    const shown = new Set(sandbox.org.people.filter((_, i) => i % 2 === 0).map((p) => p.email));
    const renamed = new Map<string, string>();
    for (const entry of aliases.people) {
      if (!shown.has(entry.email)) continue;
      const hr = entry.email.replace('@acme.io', '@hr.acme.example');
      renamed.set(entry.email, hr);
      entry.email = hr;
    }
    other = await startStack(
      configSchema.parse({ server: { port: 0, host: '127.0.0.1' }, cache: { warmUp: false }, sources: demo.sources, logLevel: 'silent' }),
      silentLogger,
      { people: PeopleDirectory.fromData(aliases) },
    );
    sandbox.gitlab.com!.stats.reset();
    const { data, errors } = await postGraphql(
      other.graphqlUrl,
      `{ models(first: 100) { nodes { key repository { host lastCommit { author { id displayName } authorIdentity { email } } } } } }`,
    );
    expect(errors).toBeUndefined();
    const commits = data.models.nodes
      .map((n: any) => n.repository)
      .filter((r: any) => r?.host === 'GITLAB' && r.lastCommit?.authorIdentity?.email)
      .map((r: any) => r.lastCommit);
    const looked = commits.filter((c: any) => renamed.has(c.authorIdentity.email));
    expect(looked.length).toBeGreaterThan(2);
    for (const c of looked) expect(c.author.id).toBe(renamed.get(c.authorIdentity.email));
    // One search per distinct email nobody had tied, and none for an email already known.
    const unknownEmails = new Set(commits.map((c: any) => c.authorIdentity.email).filter((e: string) => renamed.has(e)));
    expect(sandbox.gitlab.com!.stats.byRoute['GET /api/v4/users'] ?? 0).toBe(unknownEmails.size);
  });
});
