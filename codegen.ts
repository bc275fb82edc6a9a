import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * GraphQL Code Generator: typed documents (`TypedDocumentNode`) for the operations of the
 * repository's clients, from the public schema the gateway serves. `npm run codegen` writes
 * them, `npm run codegen:check` (scripts/codegen-check.js, in CI) fails when they are stale;
 * `npm run compose` regenerates them with the schema. Local files only: it runs offline.
 *
 * One output per consumer, each in its own source tree: a consumer's types hold only its
 * own operations, and the web app's bundler need not reach outside web/.
 */
const config: CodegenConfig = {
  schema: 'schema/public.graphql',
  // The web app may have no operations yet: its output is then the schema's helpers alone.
  ignoreNoDocuments: true,
  generates: {
    'client/generated/': {
      documents: ['examples/**/*.graphql'],
      preset: 'client',
      // Fragment masking serves components that each own a fragment; a script reads the whole answer.
      presetConfig: { fragmentMasking: false },
      // `import type`: the generated files compile under isolatedModules and verbatimModuleSyntax alike.
      config: { useTypeImports: true },
    },
    'web/src/gql/': {
      documents: ['web/src/graphql/**/*.graphql'],
      preset: 'client',
      config: { useTypeImports: true },
    },
  },
};

export default config;
