import { SourceError, SourceErrorCode } from '../core/errors';
import type { HttpClient } from '../core/http-client';
import { isRequestLimitError, outsideRequestScope, untilRequestDeadline } from '../core/request-scope';
import type { OidcTokenResponse } from './types';

/** Where a connector's bearer tokens come from. */
export interface BearerTokenSource {
  /** A token valid now. */
  token(): Promise<string>;
  /** Forget `token` (the upstream refused it): the next {@link token} fetches a new one. */
  invalidate(token: string): void;
}

/** A personal access token: the same one until the configuration changes. */
export function staticToken(token: string): BearerTokenSource {
  return { token: async () => token, invalidate: () => undefined };
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  scopes: readonly string[];
}

/**
 * OAuth machine-to-machine for a Databricks service principal: the client-credentials grant
 * (RFC 6749 §4.4) against the workspace's `POST /oidc/v1/token`, the client id and secret in
 * HTTP Basic as Databricks' SDKs send them, `scope=all-apis`. The one-hour token is reused
 * until a minute before it expires (or 10% of a shorter lifetime), concurrent callers share
 * one fetch, and a token the API refuses is dropped at once.
 *
 * Written here rather than taken from a library: Databricks' JavaScript SDK
 * (`@databricks/sdk-experimental`) needs Node 22 and is experimental, `openid-client` is
 * ESM-only, and the grant is one form POST through the instance's own HTTP client, so the
 * token request gets the same retries, timeout, rate limit, health and redaction as the API.
 */
export class ClientCredentialsTokenSource implements BearerTokenSource {
  private current: { token: string; renewAt: number } | undefined;
  private pending: Promise<string> | undefined;
  private readonly basic: string;

  constructor(
    private readonly http: HttpClient,
    private readonly credentials: ClientCredentials,
    private readonly now: () => number = Date.now,
  ) {
    this.basic = Buffer.from(`${encodeURIComponent(credentials.clientId)}:${encodeURIComponent(credentials.clientSecret)}`).toString('base64');
  }

  /** The values to keep out of messages and logs. */
  static secretsOf(credentials: ClientCredentials): string[] {
    const basic = Buffer.from(`${encodeURIComponent(credentials.clientId)}:${encodeURIComponent(credentials.clientSecret)}`).toString('base64');
    return [credentials.clientSecret, basic];
  }

  async token(): Promise<string> {
    if (this.current && this.now() < this.current.renewAt) return this.current.token;
    // A token fetch serves every request waiting for it: charged to none, but none waits past its deadline.
    this.pending ??= outsideRequestScope(() => this.fetch()).finally(() => {
      this.pending = undefined;
    });
    const pending = this.pending;
    try {
      return await untilRequestDeadline(this.http.source, 'waiting for an OAuth token', () => pending);
    } catch (err) {
      if (isRequestLimitError(err) || err instanceof SourceError) throw err;
      throw new SourceError({
        source: this.http.source,
        code: SourceErrorCode.SOURCE_UNAUTHENTICATED,
        message: `no OAuth token from ${this.http.source}: ${(err as Error)?.message ?? String(err)}`,
        cause: err,
      });
    }
  }

  invalidate(token: string): void {
    if (this.current?.token === token) this.current = undefined;
  }

  private async fetch(): Promise<string> {
    const started = this.now();
    const body = new URLSearchParams({ grant_type: 'client_credentials', scope: this.credentials.scopes.join(' ') }).toString();
    const res = await this.http.request<OidcTokenResponse>({
      method: 'POST',
      path: '/oidc/v1/token',
      route: '/oidc/v1/token',
      body,
      headers: { Authorization: `Basic ${this.basic}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      // Asking again for a token changes nothing on the server.
      idempotent: true,
    });
    const token = res.data?.access_token;
    if (typeof token !== 'string' || token === '') {
      throw new SourceError({
        source: this.http.source,
        code: SourceErrorCode.SOURCE_BAD_RESPONSE,
        message: `${this.http.source}: the token endpoint answered without an access_token`,
      });
    }
    const lifetimeMs = (typeof res.data.expires_in === 'number' && res.data.expires_in > 0 ? res.data.expires_in : 3600) * 1000;
    this.current = { token, renewAt: started + lifetimeMs - Math.min(60_000, lifetimeMs / 10) };
    return token;
  }
}
