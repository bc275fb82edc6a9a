import { SourceError, SourceErrorCode, codeForStatus, redact } from '../../connectors/core/errors';
import { sourceName } from '../../connectors/core/source';

describe('sourceName', () => {
  it('lower-cases the kind', () => {
    expect(sourceName('MLFLOW', 'prod')).toBe('mlflow:prod');
    expect(sourceName('VERTEX_AI', 'eu')).toBe('vertex_ai:eu');
  });
});

describe('codeForStatus', () => {
  it.each([
    [401, SourceErrorCode.SOURCE_UNAUTHENTICATED],
    [403, SourceErrorCode.SOURCE_FORBIDDEN],
    [404, SourceErrorCode.SOURCE_NOT_FOUND],
    [429, SourceErrorCode.SOURCE_RATE_LIMITED],
    [400, SourceErrorCode.SOURCE_BAD_REQUEST],
    [422, SourceErrorCode.SOURCE_BAD_REQUEST],
    [500, SourceErrorCode.SOURCE_UNAVAILABLE],
    [503, SourceErrorCode.SOURCE_UNAVAILABLE],
    [302, SourceErrorCode.SOURCE_BAD_RESPONSE],
  ])('maps %i to %s', (status, code) => {
    expect(codeForStatus(status)).toBe(code);
  });
});

describe('redact', () => {
  it('replaces each secret, its URL-encoded and its base64 form', () => {
    const secret = 'p@ss/word+1';
    const text = `a ${secret} b ${encodeURIComponent(secret)} c ${Buffer.from(secret).toString('base64')}`;

    expect(redact(text, [secret])).toBe('a [REDACTED] b [REDACTED] c [REDACTED]');
  });

  it('redacts Basic credentials and user:pass@ in URLs, even for unknown secrets', () => {
    const basic = Buffer.from('alice:unknown-password').toString('base64');

    expect(redact(`Authorization: Basic ${basic}`, [])).toBe('Authorization: Basic [REDACTED]');
    expect(redact('GET https://alice:pw@mlflow.example.com/api', [])).toBe('GET https://[REDACTED]@mlflow.example.com/api');
    expect(redact('Bearer abcdefgh12345678', [])).toBe('Bearer [REDACTED]');
  });

  it('leaves ordinary prose alone', () => {
    const text = 'Basic authentication failed; Bearer token missing';
    expect(redact(text, ['', 'unrelated'])).toBe(text);
  });

  it('replaces the longest secret first', () => {
    expect(redact('token abc123456', ['abc', 'abc123456'])).toBe('token [REDACTED]');
  });
});

describe('SourceError', () => {
  it('prefixes the message with the source and carries its fields', () => {
    const err = new SourceError({ source: 'mlflow:prod', code: SourceErrorCode.SOURCE_NOT_FOUND, message: 'no such run', status: 404 });

    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('SourceError');
    expect(err.message).toBe('mlflow:prod: no such run');
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      name: 'SourceError',
      message: 'mlflow:prod: no such run',
      source: 'mlflow:prod',
      code: 'SOURCE_NOT_FOUND',
      status: 404,
    });
  });

  it('keeps only a plain copy of the cause, without request config', () => {
    const raw = Object.assign(new Error('connect ECONNREFUSED'), {
      code: 'ECONNREFUSED',
      config: { headers: { Authorization: 'Bearer very-secret-token' } },
    });
    const err = new SourceError({ source: 'x:y', code: SourceErrorCode.SOURCE_UNAVAILABLE, message: 'x:y: down', cause: raw });

    expect(err.message).toBe('x:y: down');
    expect(err.cause).toBeInstanceOf(Error);
    expect(err.cause).not.toBe(raw);
    expect(err.cause).toMatchObject({ message: 'connect ECONNREFUSED', code: 'ECONNREFUSED' });
    expect((err.cause as Record<string, unknown>).config).toBeUndefined();
  });
});
