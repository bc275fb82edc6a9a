// `npm run build:web` (and so `npm ci`, through `prepare`): builds the web app and the
// GraphQL IDE into dist/web, writes a gzip twin of each text file for the gateway to send,
// and prints what each page costs a browser, gzipped. Fails when the inventory app's own
// bundle outgrows its budget: it must stay quick to load on a slow link.
import { build } from 'vite';
import { gzipSync } from 'node:zlib';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const APP_BUDGET_BYTES = 500 * 1024;
const here = fileURLToPath(new URL('.', import.meta.url));
const out = join(here, '..', 'dist', 'web');

const started = Date.now();
await build({ configFile: join(here, 'vite.config.mts'), logLevel: 'warn' });

const files = (dir) => readdirSync(dir).flatMap((name) => {
  const path = join(dir, name);
  return statSync(path).isDirectory() ? files(path) : [path];
});
const gzipped = new Map();
for (const path of files(out)) {
  if (!/\.(html|js|css|svg|json|txt)$/.test(path)) continue;
  const zipped = gzipSync(readFileSync(path), { level: 9 });
  gzipped.set(relative(out, path), zipped.length);
  writeFileSync(`${path}.gz`, zipped);
}

/** A page's cost: its HTML plus every script and stylesheet it loads, up front or by import. */
function pageBytes(page) {
  const html = readFileSync(join(out, page), 'utf8');
  const seen = new Set([page]);
  const queue = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1]);
  while (queue.length) {
    const file = queue.pop();
    if (seen.has(file) || !gzipped.has(file)) continue;
    seen.add(file);
    if (file.endsWith('.js')) {
      const js = readFileSync(join(out, file), 'utf8');
      for (const m of js.matchAll(/["'`](?:\.\/|\/assets\/)([\w.-]+\.(?:js|css))["'`]/g)) queue.push(`assets/${m[1]}`);
    }
  }
  return [...seen].reduce((sum, f) => sum + (gzipped.get(f) ?? 0), 0);
}

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const app = pageBytes('index.html');
const ide = pageBytes('graphiql.html');
const total = [...gzipped.values()].reduce((a, b) => a + b, 0);
console.log(`web: built dist/web in ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`web: inventory app (/)      ${kib(app)} gzipped (budget ${kib(APP_BUDGET_BYTES)})`);
console.log(`web: GraphiQL (/graphql)    ${kib(ide)} gzipped, with all it loads on demand (editor, workers)`);
console.log(`web: everything in dist/web ${kib(total)} gzipped`);
if (app > APP_BUDGET_BYTES) {
  console.error(`web: the inventory app is ${kib(app)} gzipped, over its ${kib(APP_BUDGET_BYTES)} budget`);
  process.exit(1);
}
