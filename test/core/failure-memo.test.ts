import { SourceError, SourceErrorCode } from '../../connectors/core/errors';
import { FailureMemo } from '../../connectors/core/failure-memo';
import { RequestScope } from '../../connectors/core/request-scope';

const SOURCE = 'mlflow:prod';
const unavailable = () => new SourceError({ source: SOURCE, code: SourceErrorCode.SOURCE_UNAVAILABLE, message: 'HTTP 503', status: 503 });

describe('FailureMemo', () => {
  let t = 0;
  const now = () => t;
  beforeEach(() => (t = 1_000));

  it('within a request: a source that failed is not asked again until the request deadline', () => {
    const memo = new FailureMemo(SOURCE, { rememberMs: 0, now });
    const scope = new RequestScope({ requestId: 'r1', deadlineAt: 20_000, now });
    const other = new RequestScope({ requestId: 'r2', deadlineAt: 20_000, now });
    memo.noteFailure(unavailable(), scope);
    const again = memo.recall(scope);
    expect(again).toBeInstanceOf(SourceError);
    expect(again).toMatchObject({ code: SourceErrorCode.SOURCE_UNAVAILABLE, status: 503, source: SOURCE, attempts: 0 });
    expect(again?.message).toMatch(/^mlflow:prod: HTTP 503 \(not asked again: it failed earlier in this request\)$/);
    expect(memo.recall(other)).toBeUndefined();
    // Success elsewhere does not make this request ask again.
    memo.noteSuccess();
    expect(memo.recall(scope)).toBeDefined();
    // Another subgraph request of the same gateway request: a scope of its own, the same id.
    const sibling = new RequestScope({ requestId: 'r1', deadlineAt: 20_000, now });
    expect(memo.recall(sibling)).toBeDefined();
    t = 20_000;
    expect(memo.recall(new RequestScope({ requestId: 'r1', now }))).toBeUndefined();
  });

  it('across requests: remembered for rememberMs, forgotten on success', () => {
    const memo = new FailureMemo(SOURCE, { rememberMs: 5_000, now });
    memo.noteFailure(unavailable(), undefined);
    t += 4_999;
    expect(memo.recall(new RequestScope({ requestId: 'r3' }))?.message).toMatch(/it failed 4999 ms ago/);
    t += 1;
    expect(memo.recall(undefined)).toBeUndefined();
    memo.noteFailure(unavailable(), undefined);
    memo.noteSuccess();
    expect(memo.recall(undefined)).toBeUndefined();
  });

  it('remembers refused credentials within the request only: a new token may work in the next', () => {
    const memo = new FailureMemo(SOURCE, { rememberMs: 5_000, now });
    const scope = new RequestScope({ requestId: 'r1', now });
    memo.noteFailure(new SourceError({ source: SOURCE, code: SourceErrorCode.SOURCE_UNAUTHENTICATED, message: 'HTTP 401', status: 401 }), scope);
    expect(memo.recall(new RequestScope({ requestId: 'r1', now }))?.code).toBe(SourceErrorCode.SOURCE_UNAUTHENTICATED);
    expect(memo.recall(new RequestScope({ requestId: 'r2', now }))).toBeUndefined();
  });

  it.each([
    ['a 404', new SourceError({ source: SOURCE, code: SourceErrorCode.SOURCE_NOT_FOUND, message: 'x', status: 404 })],
    ['a 403', new SourceError({ source: SOURCE, code: SourceErrorCode.SOURCE_FORBIDDEN, message: 'x', status: 403 })],
    ['the request deadline', new RequestScope({ requestId: 'r1', deadlineAt: 0 }).deadlineError(SOURCE)],
    ['not a SourceError', new Error('bug')],
  ])('does not remember %s', (_what, err) => {
    const memo = new FailureMemo(SOURCE, { now });
    const scope = new RequestScope({ requestId: 'r1', now });
    memo.noteFailure(err, scope);
    expect(memo.recall(scope)).toBeUndefined();
  });
});
