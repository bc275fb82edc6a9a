import nock from 'nock';
import { createClient, GraphqlRequestError, TransportError } from '../../client';
import { UnapprovedProductionDocument } from '../../client/generated/graphql';
import { useNock } from '../helpers/nock';

/** The typed client over a gateway that nock plays: what goes on the wire, what comes back. */

useNock();

const GATEWAY = 'http://gateway.test';
const ENDPOINT = `${GATEWAY}/graphql`;

interface Body {
  query: string;
  variables: Record<string, unknown>;
  operationName?: string;
}

const finding = (key: string) => ({ model: { key, codeOwners: [{ handle: '@acme/ml' }] }, severity: 'HIGH', message: `${key} is unapproved` });

describe('createClient', () => {
  it('sends the typed document with its operation name, variables and API key, and returns its data', async () => {
    let seen: Body | undefined;
    nock(GATEWAY)
      .post('/graphql', (body: Body) => {
        seen = body;
        return true;
      })
      .matchHeader('x-api-key', 'k-123')
      .matchHeader('authorization', (value) => value === undefined)
      .reply(200, { data: { findings: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [finding('fraud')] } } });

    const client = createClient({ endpoint: ENDPOINT, apiKey: 'k-123' });
    const data = await client.request(UnapprovedProductionDocument, { after: 'c1' });

    expect(data.findings?.nodes.map((n) => n.model?.key)).toEqual(['fraud']);
    expect(seen?.operationName).toBe('UnapprovedProduction');
    expect(seen?.variables).toEqual({ after: 'c1' });
    expect(seen?.query).toMatch(/^query UnapprovedProduction\(\$after: String\) \{\n\s+findings\(rule: PRODUCTION_WITHOUT_APPROVAL/);
  });

  it('sends a token as a Bearer authorization, and refuses a key and a token together', async () => {
    nock(GATEWAY)
      .post('/graphql')
      .matchHeader('authorization', 'Bearer jwt.token.here')
      .matchHeader('x-api-key', (value) => value === undefined)
      .reply(200, { data: { findings: null } });
    await expect(createClient({ endpoint: ENDPOINT, token: 'jwt.token.here' }).request(UnapprovedProductionDocument)).resolves.toEqual({
      findings: null,
    });
    expect(() => createClient({ endpoint: ENDPOINT, token: 't', apiKey: 'k' })).toThrow('give apiKey or token, not both');
  });

  it('throws the GraphQL errors, naming the endpoint and operation, with the partial data', async () => {
    const data = { findings: null };
    nock(GATEWAY)
      .post('/graphql')
      .reply(200, {
        data,
        errors: [{ message: 'Jira is unavailable', path: ['findings'], extensions: { code: 'UPSTREAM_UNAVAILABLE' } }],
      });
    const error = await createClient({ endpoint: ENDPOINT })
      .request(UnapprovedProductionDocument)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphqlRequestError);
    expect((error as GraphqlRequestError).message).toBe(
      `${ENDPOINT} answered UnapprovedProduction with errors: Jira is unavailable [UPSTREAM_UNAVAILABLE] at findings`,
    );
    expect((error as GraphqlRequestError).data).toEqual(data);
  });

  it('names the endpoint when the answer is not GraphQL', async () => {
    nock(GATEWAY).post('/graphql').reply(502, '<html>Bad Gateway</html>', { 'content-type': 'text/html' });
    const client = createClient({ endpoint: ENDPOINT });
    const error = await client.request(UnapprovedProductionDocument).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toBe(`${ENDPOINT} answered HTTP 502 Bad Gateway: <html>Bad Gateway</html>`);
  });

  it('requestAll follows the cursor to the last page, one request per page', async () => {
    const afters: unknown[] = [];
    const page = (after: unknown) => {
      afters.push(after);
      return after === undefined
        ? { data: { findings: { pageInfo: { hasNextPage: true, endCursor: 'c1' }, nodes: [finding('a'), finding('b')] } } }
        : { data: { findings: { pageInfo: { hasNextPage: false, endCursor: 'c2' }, nodes: [finding('c')] } } };
    };
    nock(GATEWAY)
      .post('/graphql')
      .times(2)
      .reply(200, (_uri, body) => page((body as Body).variables.after));

    const data = await createClient({ endpoint: ENDPOINT }).requestAll(UnapprovedProductionDocument);
    expect(afters).toEqual([undefined, 'c1']);
    expect(data.findings?.nodes.map((n) => n.model?.key)).toEqual(['a', 'b', 'c']);
  });

  it('checks variables against the operation at compile time', () => {
    const client = createClient({ endpoint: ENDPOINT });
    // The calls are never made: `npm run typecheck` fails if these compile.
    const typeErrors = () => [
      // @ts-expect-error `after` is a String
      client.request(UnapprovedProductionDocument, { after: 1 }),
      // @ts-expect-error the operation declares no `rule` variable
      client.request(UnapprovedProductionDocument, { rule: 'NO_OWNER' }),
    ];
    expect(typeof typeErrors).toBe('function');
    expect(nock.pendingMocks()).toEqual([]);
  });
});
