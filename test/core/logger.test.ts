import { createLogger, silentLogger } from '../../connectors/core/logger';

describe('createLogger', () => {
  let lines: string[];
  const write = (line: string) => lines.push(line);

  beforeEach(() => {
    lines = [];
  });

  it('writes one JSON object per line with time, level, msg, bindings and fields', () => {
    const logger = createLogger({ write, bindings: { app: 'modelgraph' } }).child({ source: 'mlflow:prod' });

    logger.info('fetched', { path: '/runs/get', ms: 12 });

    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0] as string);
    expect(record).toEqual({ time: expect.any(String), level: 'info', msg: 'fetched', app: 'modelgraph', source: 'mlflow:prod', path: '/runs/get', ms: 12 });
    expect(Number.isNaN(Date.parse(record.time))).toBe(false);
  });

  it('drops lines below the level', () => {
    const logger = createLogger({ write, level: 'warn' });

    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');

    expect(lines.map((l) => JSON.parse(l).level)).toEqual(['warn', 'error']);
  });

  it('redacts secret-looking keys, nested ones included, whatever their case', () => {
    createLogger({ write }).warn('request', {
      Authorization: 'Bearer abc',
      headers: { 'X-Api-Key': 'k', cookie: 'c', accept: 'json' },
      config: { password: 'p', clientSecret: 's', privateToken: 't', APIKEY: 'a' },
    });

    expect(JSON.parse(lines[0] as string)).toMatchObject({
      Authorization: '[REDACTED]',
      headers: { 'X-Api-Key': '[REDACTED]', cookie: '[REDACTED]', accept: 'json' },
      config: { password: '[REDACTED]', clientSecret: '[REDACTED]', privateToken: '[REDACTED]', APIKEY: '[REDACTED]' },
    });
    expect(lines[0]).not.toMatch(/abc|"k"|"p"|"s"|"t"|"a"/);
  });

  it('logs errors by their scalar fields only, and survives cycles', () => {
    const err = Object.assign(new Error('boom'), { code: 'E1', config: { headers: { Authorization: 'Bearer xyz' } } });
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;

    createLogger({ write }).error('failed', { err, cyclic });

    const record = JSON.parse(lines[0] as string);
    expect(record.err).toEqual({ name: 'Error', message: 'boom', code: 'E1' });
    expect(record.cyclic).toEqual({ name: 'loop', self: '[Circular]' });
  });

  it('silentLogger writes nothing', () => {
    const spy = jest.spyOn(process.stderr, 'write');
    silentLogger.error('nothing');
    silentLogger.child({ a: 1 }).warn('nothing');
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });
});
