import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../config/load';

/** The `tickets` section: defaults, and errors that name the key. */

const JIRA = [
  'sources:',
  '  jira:',
  '    - name: corp',
  '      url: https://acme.atlassian.net',
  '      auth: { type: basic, email: svc@acme.io, apiToken: t }',
  '      projects: [MLOPS, RISK]',
];

function load(lines: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'modelgraph-tickets-'));
  const path = join(dir, 'c.yaml');
  writeFileSync(path, [...JIRA, ...lines].join('\n'));
  return loadConfig({ path, env: {} });
}

describe('config tickets', () => {
  it('is off when absent, and defaults the issue type, labels and priorities', () => {
    expect(load([]).tickets).toBeUndefined();
    expect(load(['tickets:', '  jira: corp', '  project: MLOPS']).tickets).toEqual({
      jira: 'corp',
      project: 'MLOPS',
      issueType: 'Task',
      labels: [],
      priorities: { high: 'High', medium: 'Medium', low: 'Low' },
    });
  });

  it.each([
    [['tickets:', '  jira: other', '  project: MLOPS'], /tickets\.jira: no Jira instance "other" under sources\.jira \(there are: corp\)/],
    [['tickets:', '  jira: corp', '  project: SALES'], /tickets\.project: project SALES is outside sources\.jira "corp"\.projects \(MLOPS, RISK\)/],
    [['tickets:', '  jira: corp', '  project: mlops'], /tickets\.project: must be a Jira project key/],
    [['tickets:', '  jira: corp', '  project: MLOPS', '  labels: [ok, "not ok"]'], /tickets\.labels\[1\]: must be a Jira label: no spaces/],
    [['tickets:', '  jira: corp', '  project: MLOPS', '  priorities: { urgent: Highest }'], /tickets\.priorities\.urgent: unknown key/],
    [['tickets:', '  jira: corp', '  project: MLOPS', '  transition: Done'], /tickets\.transition: unknown key/],
  ])('refuses %j naming the key', (lines, message) => {
    expect(() => load(lines)).toThrow(ConfigError);
    expect(() => load(lines)).toThrow(message);
  });
});
