import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Two pages from one build, sharing React: the inventory app (index.html) and GraphiQL
// (graphiql.html, served on GET /graphql). The gateway serves dist/web; see gateway/web-assets.ts.
export default defineConfig({
  root: here('.'),
  base: '/',
  publicDir: here('public'),
  // React's automatic runtime, without a plugin: there is no dev server with fast refresh to feed.
  oxc: { jsx: { runtime: 'automatic' } },
  // The app reads the report files (reports/*.graphql) as the IDE's example operations.
  server: { fs: { allow: [here('..')] } },
  build: {
    outDir: here('../dist/web'),
    emptyOutDir: true,
    // The IDE's editor (Monaco) is large by nature; build.mjs measures and checks the app's own size.
    chunkSizeWarningLimit: 5000,
    reportCompressedSize: false,
    sourcemap: false,
    rollupOptions: {
      input: { index: here('index.html'), graphiql: here('graphiql.html') },
      // GraphiQL's dependencies mark modules "use client" for React Server Components, which a
      // browser bundle has no use for: the warnings say nothing about this build.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  worker: { format: 'es' },
});
