import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import type { Route } from '../subgraphs/common/http-server';

// Compiled code runs from dist/gateway, sources (tests) from gateway/; either way the built
// web app is in the repository's dist/web, where `npm run build:web` (run by `npm ci`) puts it.
const ROOT = __dirname.includes(`${sep}dist${sep}`) ? join(__dirname, '..', '..') : join(__dirname, '..');
export const WEB_DIR = join(ROOT, 'dist', 'web');

/**
 * Same origin only: the pages load nothing from another host (no CDN, no web font), and
 * talk to this gateway alone. Styles may be inline because the IDE's editor (Monaco) writes
 * its theme into <style> elements at run time; scripts may not.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** The pages the gateway serves beside /graphql: the GraphQL IDE and the inventory web app. */
export interface WebPages {
  /** GET /graphql from a browser: GraphiQL. */
  ide: Route;
  /** Any other GET path: the app's files, and its index.html for its own paths (deep links). */
  app: Route;
}

/**
 * Serves the built pages of `dir` (dist/web). Vite names every file under assets/ by its
 * content hash, so those are cached for a year; the HTML pages are revalidated each time so
 * that a new build is picked up at once. A file built with a `.gz` twin is sent compressed
 * to a client that accepts gzip.
 */
export function webPages(dir: string = WEB_DIR): WebPages {
  return {
    ide: (req, res) => sendFile(req, res, dir, 'graphiql.html'),
    app: (req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const file = safeRelative(path);
      if (file && file !== 'graphiql.html' && isFile(join(dir, file))) return sendFile(req, res, dir, file);
      // A missing hashed asset is a stale page or a typo: not the app's index.
      if (!path.startsWith('/assets/') && wantsHtml(req)) return sendFile(req, res, dir, 'index.html');
      notFound(res);
    },
  };
}

/** Whether a browser navigates here (its Accept names text/html), rather than an API client asking. */
export function wantsHtml(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/html');
}

/** A request path as a path relative to the web root; undefined when it would leave it. */
function safeRelative(path: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const relative = normalize(decoded).replace(/^[/\\]+/, '');
  if (relative === '' || relative.split(/[/\\]/).includes('..')) return undefined;
  return relative;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function sendFile(req: IncomingMessage, res: ServerResponse, dir: string, file: string): void {
  const path = join(dir, file);
  if (!isFile(path)) {
    if (file.endsWith('.html')) return notBuilt(res, dir);
    return notFound(res);
  }
  const gzipped = `${path}.gz`;
  const useGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && existsSync(gzipped);
  const sent = useGzip ? gzipped : path;
  res.statusCode = 200;
  res.setHeader('content-type', TYPES[extname(file)] ?? 'application/octet-stream');
  res.setHeader('content-length', statSync(sent).size);
  res.setHeader('vary', 'accept-encoding');
  if (useGzip) res.setHeader('content-encoding', 'gzip');
  res.setHeader('cache-control', file.startsWith(`assets${sep}`) || file.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
  res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(sent)
    .on('error', (err) => res.destroy(err))
    .pipe(res);
}

function notFound(res: ServerResponse): void {
  res.statusCode = 404;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ error: 'not found', graphql: '/graphql' }));
}

/** A checkout whose web build has not run (a bare `tsc` build): say how to get it rather than a bare 404. */
function notBuilt(res: ServerResponse, dir: string): void {
  res.statusCode = 503;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(`The web pages are not built (${dir} is missing): run \`npm run build:web\` (npm ci runs it).\n`);
}
