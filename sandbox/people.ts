import type { DemoOrg } from './demo-org';
import { githubCommitters } from './github/store';
import { gitlabPersonalEmails } from './gitlab/store';

/**
 * The people aliases file a real organisation would keep for the demo organisation: for
 * each person, the tool identities that do not carry their email (Jira account ids, GitHub
 * and GitLab logins, MLflow user ids that are bare logins), and the personal emails some of
 * them commit with. It lists everyone, so that each human in the demo is exactly one
 * `Person` whichever tool names them (test/integration/people-across-tools.test.ts).
 */
export function demoPeopleAliases(org: DemoOrg): { people: Array<{ email: string; name: string; identities: string[] }> } {
  const github = githubCommitters(org).personalEmails;
  const gitlab = gitlabPersonalEmails(org);
  return {
    people: org.people.map((p) => ({
      email: p.email,
      name: p.displayName,
      identities: [
        `jira:*:${p.jiraAccountId}`,
        `github:*:${p.githubLogin}`,
        `gitlab:*:${p.gitlabUsername}`,
        ...(p.mlflowUserId.toLowerCase() !== p.email.toLowerCase() ? [`mlflow:*:${p.mlflowUserId}`] : []),
        ...[github.get(p.id), gitlab.get(p.id)].filter((e): e is string => !!e).map((e) => `git:*:${e}`),
      ],
    })),
  };
}
