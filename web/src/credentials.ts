/**
 * The caller's credentials when the gateway requires auth: an API key (sent as `x-api-key`)
 * or a bearer token (sent as `authorization`), kept in sessionStorage, so they last as long as
 * the tab and are never written to disk. The web app and the IDE share them (same origin).
 */
export interface Credentials {
  kind: 'apiKey' | 'bearer';
  value: string;
}

const KEY = 'modelgraph.credentials';

export function readCredentials(): Credentials | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return undefined;
    const parsed = JSON.parse(raw) as Partial<Credentials>;
    return (parsed.kind === 'apiKey' || parsed.kind === 'bearer') && typeof parsed.value === 'string' && parsed.value
      ? { kind: parsed.kind, value: parsed.value }
      : undefined;
  } catch {
    return undefined;
  }
}

export function saveCredentials(credentials: Credentials | undefined): void {
  if (credentials) sessionStorage.setItem(KEY, JSON.stringify(credentials));
  else sessionStorage.removeItem(KEY);
}

/** The request headers the credentials become. */
export function credentialHeaders(credentials: Credentials | undefined = readCredentials()): Record<string, string> {
  if (!credentials) return {};
  return credentials.kind === 'apiKey' ? { 'x-api-key': credentials.value } : { authorization: `Bearer ${credentials.value}` };
}
