import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema } from '../../config/schema';
import { createRateLimiter } from '../../connectors/core/plumbing';
import type { RateLimit } from '../../connectors/core/rate-limiter';
import type { SourceKind } from '../../connectors/core/source';
import { resolveConcurrency, resolveRateLimit } from '../../connectors/core/vendor-rate-limits';
import { GITHUB_GRAPHQL_RATE_LIMIT, GITHUB_LIMITS, resolveGithubGraphqlRateLimit } from '../../connectors/github/limits';
import { MLFLOW_LIMITS } from '../../connectors/mlflow/limits';
import { VENDOR_CONCURRENCY, VENDOR_RATE_LIMITS } from '../helpers/vendor-limits';

/** The README's "Upstream rate limits" table: kind -> the limit its last column writes. */
function readmeDefaults(): Partial<Record<SourceKind, RateLimit>> {
  const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
  const section = readme.split('### Upstream rate limits')[1]?.split('\n## ')[0] ?? '';
  const out: Partial<Record<SourceKind, RateLimit>> = {};
  for (const line of section.split('\n')) {
    const kind = /^\| [^|]*\(`([A-Z_]+)`\) \|/.exec(line)?.[1] as SourceKind | undefined;
    if (!kind) continue;
    const cells = line.split('|').map((c) => c.trim());
    const fields = /`\{([^}]*)\}`/.exec(cells[3] ?? '')?.[1] ?? '';
    const limit: RateLimit = {};
    for (const [, key, value] of fields.matchAll(/(\w+): ([\d.]+)/g)) (limit as Record<string, number>)[key!] = Number(value);
    out[kind] = limit;
  }
  return out;
}

describe('rate-limit defaults per vendor', () => {
  it('are what the README table says, for every source kind', () => {
    const documented = readmeDefaults();
    expect(Object.keys(documented).sort()).toEqual(Object.keys(VENDOR_RATE_LIMITS).sort());
    for (const [kind, limit] of Object.entries(VENDOR_RATE_LIMITS)) expect([kind, documented[kind as SourceKind]]).toEqual([kind, limit]);
  });

  it("hold the vendors' documented figures", () => {
    expect(VENDOR_RATE_LIMITS.GITHUB).toEqual({ perHour: 5_000, perMinute: 900 });
    expect(VENDOR_RATE_LIMITS.GITLAB).toEqual({ perMinute: 2_000 });
    expect(VENDOR_RATE_LIMITS.VERTEX_AI).toEqual({ perMinute: 600 });
    expect(VENDOR_RATE_LIMITS.AZURE_ML).toEqual({ requestsPerSecond: 25, burst: 250 });
  });

  it('apply to an instance that configures nothing, and a configured field replaces only its own', () => {
    const config = configSchema.parse({
      sources: {
        github: [
          { name: 'com', auth: { type: 'token', token: 't' } },
          { name: 'app', auth: { type: 'token', token: 't' }, rateLimit: { perHour: 15_000 } },
          { name: 'ghes', url: 'https://ghe.example.com/api/v3', rateLimit: { enabled: false } },
        ],
      },
    });
    const [com, app, ghes] = config.sources.github;
    expect(createRateLimiter('github:com', GITHUB_LIMITS, com!.rateLimit)?.limit).toEqual({ perHour: 5_000, perMinute: 900 });
    expect(createRateLimiter('github:app', GITHUB_LIMITS, app!.rateLimit)?.limit).toEqual({ perHour: 15_000, perMinute: 900 });
    expect(createRateLimiter('github:ghes', GITHUB_LIMITS, ghes!.rateLimit)).toBeUndefined();
    // MLflow publishes none: no limiter unless configured.
    expect(createRateLimiter('mlflow:prod', MLFLOW_LIMITS, undefined)).toBeUndefined();
    expect(resolveRateLimit(MLFLOW_LIMITS.rateLimit, { requestsPerSecond: 20 })).toEqual({ requestsPerSecond: 20 });
  });

  it("give GitHub's GraphQL calls their own budget: the instance's hourly figure, GraphQL's own per minute", () => {
    expect(GITHUB_GRAPHQL_RATE_LIMIT).toEqual({ perHour: 5_000, perMinute: 2_000 });
    expect(resolveGithubGraphqlRateLimit(undefined)).toEqual({ perHour: 5_000, perMinute: 2_000 });
    expect(resolveGithubGraphqlRateLimit({ perHour: 15_000, perMinute: 900 })).toEqual({ perHour: 15_000, perMinute: 2_000 });
    expect(resolveGithubGraphqlRateLimit({ enabled: false })).toBeUndefined();
  });

  it('refuses a bad rateLimit at start-up, naming the key', () => {
    const bad = (rateLimit: unknown) =>
      configSchema.safeParse({ sources: { gitlab: [{ name: 'com', rateLimit }] } }).error?.issues.map((i) => i.path.join('.'));
    expect(bad({ perMinute: 0 })).toEqual(['sources.gitlab.0.rateLimit.perMinute']);
    expect(bad({ requestsPerSecond: -1 })).toEqual(['sources.gitlab.0.rateLimit.requestsPerSecond']);
    expect(bad({ perDay: 10 })).toEqual(['sources.gitlab.0.rateLimit']);
    expect(bad({ operations: {} })).toEqual(['sources.gitlab.0.rateLimit']);
    const sagemaker = configSchema.safeParse({
      sources: { sagemaker: [{ name: 'prod', region: 'us-east-1', rateLimit: { operations: { describeEndpoint: { burst: 2 } } } }] },
    });
    expect(sagemaker.error?.issues.map((i) => i.path.join('.'))).toEqual(['sources.sagemaker.0.rateLimit.operations.describeEndpoint']);
  });
});

describe('concurrency defaults per vendor', () => {
  /** The README's `maxConcurrency` table: kind -> default. */
  function readmeConcurrency(): Record<string, number> {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    const section = readme.split('default `maxConcurrency`')[1]?.split('\n\n')[0] ?? '';
    return Object.fromEntries([...section.matchAll(/^\| `([A-Z_]+)` \| (\d+) \|/gm)].map(([, kind, n]) => [kind!, Number(n)]));
  }

  it('are what the README table says, for every source kind, and a configured value wins', () => {
    expect(readmeConcurrency()).toEqual(VENDOR_CONCURRENCY);
    expect(resolveConcurrency(GITHUB_LIMITS, undefined)).toBe(20);
    expect(resolveConcurrency(GITHUB_LIMITS, 3)).toBe(3);
    expect(configSchema.parse({ sources: { github: [{ name: 'cloud' }] } }).sources.github[0]!.maxConcurrency).toBeUndefined();
  });
});
