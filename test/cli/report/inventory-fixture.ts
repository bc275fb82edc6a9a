/**
 * A models page as the gateway answers an inventory report: the input of the golden files.
 * It carries what the formats must get right: a comma, quotes, a line break and a `|` in
 * text, a null object, empty lists, lists of objects and scalars, a cell over 60 characters.
 */
export const INVENTORY_QUERY = `query Inventory($after: String) {
  models(first: 100, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      key
      name
      refs { kind instance nativeId }
      versions { version stage aliases }
      codeOwners { handle kind person { email } }
      repository { url description }
      openTickets
    }
  }
}
`;

export const INVENTORY_DATA = {
  models: {
    totalCount: 3,
    pageInfo: { hasNextPage: false, endCursor: 'Y3Vyc29yOjM=' },
    nodes: [
      {
        key: 'churn-predictor',
        name: 'Churn predictor, EMEA',
        refs: [
          { kind: 'MLFLOW', instance: 'prod', nativeId: 'churn-predictor' },
          {
            kind: 'SAGEMAKER',
            instance: 'eu-west-1',
            nativeId: 'arn:aws:sagemaker:eu-west-1:123456789012:model-package-group/churn-predictor',
          },
        ],
        versions: [
          { version: '3', stage: 'Production', aliases: ['champion', 'blue'] },
          { version: '2', stage: 'Staging', aliases: [] },
          { version: '1', stage: null, aliases: [] },
        ],
        codeOwners: [
          { handle: '@acme/ml-platform', kind: 'TEAM', person: null },
          { handle: '@dana', kind: 'USER', person: { email: 'dana@acme.example' } },
        ],
        repository: { url: 'https://github.com/acme/churn', description: 'Predicts "at risk" customers\nweekly' },
        openTickets: 2,
      },
      {
        key: 'fraud-detector',
        name: 'Fraud detector',
        refs: [
          { kind: 'MLFLOW', instance: 'prod', nativeId: 'fraud-detector' },
          { kind: 'VERTEX_AI', instance: 'europe-west4', nativeId: 'projects/acme/locations/europe-west4/models/314' },
        ],
        versions: [{ version: '7', stage: 'Production', aliases: ['champion'] }],
        codeOwners: [{ handle: 'risk-ml@acme.example', kind: 'EMAIL', person: { email: 'risk-ml@acme.example' } }],
        repository: { url: 'https://gitlab.acme.example/risk/fraud', description: 'Card fraud | wire fraud' },
        openTickets: 11,
      },
      {
        key: 'search-ranker',
        name: 'Search ranker',
        refs: [{ kind: 'AZURE_ML', instance: 'westeurope', nativeId: 'search-ranker' }],
        versions: [],
        codeOwners: null,
        repository: null,
        openTickets: 0,
      },
    ],
  },
};
