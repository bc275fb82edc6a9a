import type { Stack } from '../../gateway/stack';
import { startSandbox, type Sandbox } from '../../sandbox';
import { FaultyTcpProxy } from '../helpers/faulty-tcp-proxy';
import { postGraphql, startDemoGraph } from '../helpers/demo-graph';
import { waitFor } from '../helpers/wait-for';

/**
 * The fault matrix's Redis rows, through the whole graph: with Redis hung or killed, every
 * answer still comes whole, and the process stops asking Redis after the first request
 * that found it failing. Counted in commands that reach Redis, not in milliseconds.
 */

const REDIS_URL = process.env.REDIS_URL;
const describeRedis = REDIS_URL ? describe : describe.skip;

const QUERY = '{ models(first: 5) { totalCount nodes { key versions { version stage } } } }';

/** Commands other than the breaker's probes. */
const commandsSent = (proxy: FaultyTcpProxy) => [...proxy.commands].filter(([name]) => name !== 'ping').reduce((n, [, c]) => n + c, 0);

describeRedis('the graph while Redis hangs or dies', () => {
  let sandbox: Sandbox;
  let proxy: FaultyTcpProxy;
  let stack: Stack;
  let expected: unknown;

  beforeAll(async () => {
    sandbox = await startSandbox({ models: 8 });
    const target = new URL(REDIS_URL as string);
    proxy = await FaultyTcpProxy.start({ host: target.hostname, port: Number(target.port || 6379) });
    // A database of its own, so that the demo's fixed source names share no keys with other suites.
    // No response cache: a repeated query must reach the source caches, which this is about.
    stack = await startDemoGraph(sandbox, {
      cache: { ttlSeconds: 60, staleSeconds: 300, redisUrl: `redis://127.0.0.1:${proxy.port}/13`, responses: { enabled: false } },
    });
    const answer = await postGraphql(stack.graphqlUrl, QUERY);
    expect(answer.errors).toBeUndefined();
    expected = answer.data;
  });

  afterAll(async () => {
    await stack?.close();
    await proxy?.close();
    await sandbox?.close();
  });

  it('hung: the answer comes whole; after the first request no command reaches Redis until it answers a probe', async () => {
    expect(stack.runtime.redisBreaker?.status).toBe('closed');
    proxy.hang();
    proxy.resetCounts();
    const first = await postGraphql(stack.graphqlUrl, QUERY);
    expect(first).toEqual({ data: expected });
    expect(stack.runtime.redisBreaker?.status).toBe('open');
    const spentByFirst = commandsSent(proxy);
    expect(spentByFirst).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) expect(await postGraphql(stack.graphqlUrl, QUERY)).toEqual({ data: expected });
    expect(commandsSent(proxy)).toBe(spentByFirst);

    proxy.forward();
    await waitFor(() => stack.runtime.redisBreaker?.status === 'closed', {
      timeoutMs: 10_000,
      intervalMs: 20,
      what: 'the breaker to close once Redis answers again',
    });
  });

  it('killed: the answer comes whole, and Redis is not asked again until it is back', async () => {
    await proxy.kill();
    for (let i = 0; i < 5; i++) expect(await postGraphql(stack.graphqlUrl, QUERY)).toEqual({ data: expected });
    expect(stack.runtime.redisBreaker?.status).toBe('open');
    await proxy.revive();
    await waitFor(() => stack.runtime.redisBreaker?.status === 'closed', {
      timeoutMs: 10_000,
      intervalMs: 20,
      what: 'the breaker to close once Redis is revived',
    });
    expect(await postGraphql(stack.graphqlUrl, QUERY)).toEqual({ data: expected });
  });
});
