import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Gateway → subgraph request signing: HMAC-SHA256 with a secret the gateway and the
 * subgraphs share, so a subgraph answers only what the gateway sent.
 *
 * Hive Gateway signs `{query, variables}` and carries the signature inside `extensions`;
 * that leaves `extensions` (where the caller's identity, budget and deadline travel) outside
 * the signature, and needs the body parsed and re-serialised canonically before it can be
 * checked. This signs the raw body bytes instead, with a timestamp against replays, in one
 * header (`t=<unix seconds>,v1=<hex>`, the shape Stripe and Slack webhooks use): the subgraph
 * checks it before it parses anything, and a changed byte anywhere fails it.
 */
export const SIGNATURE_HEADER = 'x-modelgraph-signature';

/** What a subgraph's `GET /sources` request signs in place of a body. */
export const SOURCES_REQUEST_LINE = 'GET /sources';

/** How old a signed request may be, in seconds, before it counts as a replay. */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

export type SignatureVerdict = 'ok' | 'missing' | 'malformed' | 'expired' | 'mismatch';

function mac(secret: string, timestamp: string, body: string | Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}

/** The header value for `body`, signed now. */
export function signBody(secret: string, body: string | Buffer, nowMs: number = Date.now()): string {
  const t = String(Math.floor(nowMs / 1000));
  return `t=${t},v1=${mac(secret, t, body).toString('hex')}`;
}

export function verifySignature(
  secret: string,
  body: string | Buffer,
  header: string | undefined,
  options: { nowMs?: number; toleranceSeconds?: number } = {},
): SignatureVerdict {
  if (!header) return 'missing';
  const parts = new Map<string, string>();
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) parts.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const t = parts.get('t');
  const v1 = parts.get('v1');
  if (!t || !/^\d{1,12}$/.test(t) || !v1 || !/^[0-9a-f]{64}$/.test(v1)) return 'malformed';
  const nowSeconds = Math.floor((options.nowMs ?? Date.now()) / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_SECONDS;
  if (Math.abs(nowSeconds - Number(t)) > tolerance) return 'expired';
  const expected = mac(secret, t, body);
  return timingSafeEqual(expected, Buffer.from(v1, 'hex')) ? 'ok' : 'mismatch';
}

/** A secret for a process whose gateway and subgraphs share memory (the all-in-one process). */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}
