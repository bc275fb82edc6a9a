import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { SourceCache } from '../../connectors/core/cache/source-cache';
import { SourceError, SourceErrorCode, codeForStatus } from '../../connectors/core/errors';
import { silentLogger } from '../../connectors/core/logger';
import { cachedLookup, isNotFoundError, nullIfNotFound } from '../../connectors/core/plumbing';

const notFound = (status: number) => new SourceError({ source: 't:x', code: SourceErrorCode.SOURCE_NOT_FOUND, message: 'gone', status });
const failed = (status: number) => new SourceError({ source: 't:x', code: codeForStatus(status), message: 'failed', status });

describe('isNotFoundError', () => {
  it('goes by the code, so that an SDK source whose "no such resource" comes with status 400 means the same as a REST 404', () => {
    expect(isNotFoundError(failed(404))).toBe(true);
    expect(isNotFoundError(notFound(400))).toBe(true);
    expect(isNotFoundError(failed(403))).toBe(false);
    expect(isNotFoundError(new Error('404'))).toBe(false);
  });
});

describe('nullIfNotFound', () => {
  it('answers null for not found and rethrows anything else', async () => {
    await expect(nullIfNotFound(Promise.reject(failed(404)))).resolves.toBeNull();
    await expect(nullIfNotFound(Promise.resolve(7))).resolves.toBe(7);
    await expect(nullIfNotFound(Promise.reject(failed(500)))).rejects.toThrow('failed');
  });

  it('lets a connector narrow "not found"', async () => {
    const onlyGone = (err: unknown) => isNotFoundError(err) && err.message.endsWith('gone');
    await expect(nullIfNotFound(Promise.reject(notFound(404)), onlyGone)).resolves.toBeNull();
    await expect(nullIfNotFound(Promise.reject(failed(404)), onlyGone)).rejects.toThrow('failed');
  });
});

describe('cachedLookup', () => {
  it('caches "not found" as null, so that asking again costs no upstream call', async () => {
    const cache = new SourceCache(new MemoryCache(), 't:x', { ttlSeconds: 60, staleSeconds: 0, logger: silentLogger });
    let calls = 0;
    const load = async () => {
      calls++;
      throw failed(404);
    };
    expect(await cachedLookup(cache, 'k', load)).toBeNull();
    expect(await cachedLookup(cache, 'k', load)).toBeNull();
    expect(calls).toBe(1);
  });

  it('does not cache a failure that is not "not found"', async () => {
    const cache = new SourceCache(new MemoryCache(), 't:x', { ttlSeconds: 60, staleSeconds: 0, logger: silentLogger });
    let calls = 0;
    const load = async () => {
      calls++;
      throw failed(503);
    };
    await expect(cachedLookup(cache, 'k', load)).rejects.toThrow('failed');
    await expect(cachedLookup(cache, 'k', load)).rejects.toThrow('failed');
    expect(calls).toBe(2);
  });
});
