import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema/public.graphql',
  ignoreNoDocuments: true,
  generates: {
    'client/generated/': {
      documents: ['examples/**/*.graphql'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
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
