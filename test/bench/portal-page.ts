/**
 * The portal's page (issue #11): 50 models with their versions, runs, tickets, repository,
 * code owners and deployments. One definition for the benchmark and the tests that hold
 * its call-count target.
 */
export const PORTAL_PAGE_QUERY = /* GraphQL */ `
  query Portal($first: Int!) {
    models(first: $first) {
      nodes {
        key
        versions {
          version stage source { kind instance }
          ... on MlflowModelVersion { run { status metrics { key value } commit { sha author { id } } } }
          ... on CloudModelVersion { approval }
        }
        tickets { key statusCategory }
        repository { url }
        codeOwners { handle }
        deployments { endpointName status trafficPercent }
      }
    }
  }
`;

export const PORTAL_PAGE_VARIABLES = { first: 50 } as const;

/**
 * Cheap, and makes the inventory list every registry: what "the linking listings warm"
 * means before a cold page is measured (the listings are paid once per TTL by whatever
 * query comes first, not by each page).
 */
export const WARM_LISTINGS_QUERY = '{ models(first: 1) { totalCount } }';

/**
 * The cold page's critical path in dependent upstream waves: the registries' models and
 * versions, then their runs and the linked tickets and repositories, then the commits and
 * code owners found there, then the commits' authors. Its duration is this times the
 * upstream latency.
 */
export const PORTAL_PAGE_WAVES = 4;

/** At most this many upstream calls for the cold page with the listings warm, at any size (#11). */
export const PORTAL_PAGE_MAX_CALLS = 60;
