import type { DemoOrg } from './demo-org';

/**
 * The people aliases file a real organisation would keep for the demo organisation: for
 * each person, the tool identities that do not carry their email (Jira account ids, GitHub
 * and GitLab logins, MLflow user ids that are bare logins). Like a real one it is not
 * complete: the last person of the list is left out (their Jira and GitHub identities stay
 * unresolved), and nobody listed the personal email some people commit with, so the
 * governance findings have a person known by two identities to report.
 */
export function demoPeopleAliases(org: DemoOrg): { people: Array<{ email: string; name: string; identities: string[] }> } {
  const listed = org.people.slice(0, Math.max(0, org.people.length - 1));
  return {
    people: listed.map((p) => ({
      email: p.email,
      name: p.displayName,
      identities: [
        `jira:*:${p.jiraAccountId}`,
        `github:*:${p.githubLogin}`,
        `gitlab:*:${p.gitlabUsername}`,
        ...(p.mlflowUserId.toLowerCase() !== p.email.toLowerCase() ? [`mlflow:*:${p.mlflowUserId}`] : []),
      ],
    })),
  };
}
