import { isIP } from 'node:net';
import { ConfigError } from '../config/load';
import type { ModelgraphConfig } from '../config/schema';

/**
 * Secure by default: a process that others can reach must say who may ask. Checked at
 * start-up, before anything listens, with the key to fix named.
 */

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1';
}

/** Throws a ConfigError when `role` would serve without the protection a reachable host needs. */
export function checkExposure(config: ModelgraphConfig, role: string, subgraphUrls: Readonly<Record<string, string>> = {}): void {
  const { host, auth, subgraphSecret } = config.server;
  const where = config.server.host;
  if ((role === 'all' || role === 'gateway') && !auth && !isLoopbackHost(host)) {
    throw new ConfigError(
      `server.auth: the gateway would listen on ${where} with no authentication. Configure server.auth ` +
        '(jwt or apiKeys, see the README\'s Security section), or write `auth: { mode: none }` to serve without it on purpose.',
    );
  }
  if (role !== 'all' && role !== 'gateway' && !subgraphSecret && !isLoopbackHost(host)) {
    throw new ConfigError(
      `server.subgraphSecret: the ${role} subgraph would listen on ${where} and answer anyone. Set ` +
        'MODELGRAPH_SUBGRAPH_SECRET (the same random value for the gateway and every subgraph).',
    );
  }
  if (role === 'gateway' && !subgraphSecret) {
    const remote = Object.entries(subgraphUrls).filter(([, url]) => !isLoopbackHost(new URL(url).hostname));
    if (remote.length > 0) {
      throw new ConfigError(
        `server.subgraphSecret: the gateway would send unsigned requests to ${remote.map(([n]) => n).join(', ')}, ` +
          'which then cannot tell it from anyone else. Set MODELGRAPH_SUBGRAPH_SECRET for the gateway and every subgraph.',
      );
    }
  }
}
