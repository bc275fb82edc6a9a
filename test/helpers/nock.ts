import nock from 'nock';

/**
 * The lifecycle every nock contract test needs: no real network, a clean slate per test,
 * every declared request made, and node's http module given back unpatched afterwards
 * (nock patches it for the whole jest worker, and later test files in the same worker talk
 * to real loopback servers).
 */
export function useNock(): void {
  beforeAll(() => nock.disableNetConnect());
  afterAll(() => {
    nock.cleanAll();
    nock.enableNetConnect();
    nock.restore();
  });
  beforeEach(() => nock.cleanAll());
  afterEach(() => {
    // Every request the test declared must have been made.
    expect(nock.pendingMocks()).toEqual([]);
  });
}
