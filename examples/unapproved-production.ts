/**
 * An automation script on the typed client: lists the models in production without an
 * approval (the PRODUCTION_WITHOUT_APPROVAL governance finding) and fails when there is any,
 * e.g. as a scheduled CI job.
 *
 *   node dist/examples/unapproved-production.js [--endpoint URL]
 *
 * The endpoint is --endpoint, else MODELGRAPH_ENDPOINT, else http://localhost:4000/graphql;
 * MODELGRAPH_API_KEY, when set, is sent as the API key. Exit 0 when there is none, 1 when
 * there are some, 2 when the graph could not answer in full (nothing is concluded then).
 *
 * The query is examples/unapproved-production.graphql; `npm run codegen` turns it into the
 * typed document imported below, so a renamed field fails the build, not the job.
 */
import { parseArgs } from 'node:util';
import { createClient } from '../client';
import { UnapprovedProductionDocument, type UnapprovedProductionQuery } from '../client/generated/graphql';

const DEFAULT_ENDPOINT = 'http://localhost:4000/graphql';

type Finding = NonNullable<UnapprovedProductionQuery['findings']>['nodes'][number];

interface Io {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

export async function main(argv: string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  let endpoint: string;
  try {
    const { values } = parseArgs({ args: argv, options: { endpoint: { type: 'string' } }, strict: true });
    endpoint = values.endpoint ?? (env.MODELGRAPH_ENDPOINT || DEFAULT_ENDPOINT);
  } catch (err) {
    io.stderr.write(`unapproved-production: ${(err as Error).message}\n`);
    return 2;
  }
  const client = createClient({ endpoint, ...(env.MODELGRAPH_API_KEY ? { apiKey: env.MODELGRAPH_API_KEY } : {}) });

  let findings: Finding[];
  try {
    const data = await client.requestAll(UnapprovedProductionDocument);
    findings = data.findings?.nodes ?? [];
  } catch (err) {
    io.stderr.write(`unapproved-production: ${(err as Error).message}\n`);
    return 2;
  }

  if (findings.length === 0) {
    io.stdout.write(`no model in production without an approval (${client.endpoint})\n`);
    return 0;
  }
  io.stdout.write(`${findings.length} model(s) in production without an approval (${client.endpoint}):\n`);
  for (const finding of findings) io.stdout.write(`${formatFinding(finding)}\n`);
  return 1;
}

/** `model  SEVERITY  owners  message`, tab-separated so that `cut` and `awk` can take it apart. */
export function formatFinding(finding: Finding): string {
  const owners = finding.model?.codeOwners?.map((o) => o.handle).join(',') || '(no code owner)';
  return [finding.model?.key ?? '(no model)', finding.severity, owners, finding.message].join('\t');
}

if (require.main === module) {
  main(process.argv.slice(2), process.env, process).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`unapproved-production: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
