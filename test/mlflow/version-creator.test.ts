import type { ModelVersion } from '../../connectors/core/graph';
import { PeopleDirectory } from '../../subgraphs/common/identity';
import { PartialErrors } from '../../subgraphs/common/partial-errors';
import { MlflowLoaders } from '../../subgraphs/mlflow/loaders';
import { resolvers, type MlflowContext } from '../../subgraphs/mlflow/resolvers';

/** `MlflowModelVersion.creator` and `createdByType`: a service identity is shown as such, never as a Person. */

const version = (createdBy: string | null) => ({ createdBy, source: { kind: 'MLFLOW', instance: 'prod', nativeId: 'm/1', url: null } }) as ModelVersion;

function context(serviceIdentities: string[] | undefined): MlflowContext {
  return {
    mlflow: new MlflowLoaders(new Map()),
    people: PeopleDirectory.empty(),
    partialErrors: new PartialErrors(),
    ...(serviceIdentities ? { services: { serviceIdentities } } : {}),
  };
}

const field = (name: 'creator' | 'createdByType') =>
  (resolvers.MlflowModelVersion as Record<string, (v: ModelVersion, a: unknown, c: MlflowContext) => unknown>)[name]!;

describe('an MLflow version’s creator', () => {
  it('is no Person when the settings name it a service, and says so', () => {
    const ctx = context(['svc-*']);
    expect(field('creator')(version('svc-training-pipeline'), {}, ctx)).toBeNull();
    expect(field('createdByType')(version('svc-training-pipeline'), {}, ctx)).toBe('SERVICE');
  });

  it('is a Person otherwise, of unknown type (MLflow does not say)', () => {
    const ctx = context(['svc-*']);
    expect(field('creator')(version('ana@acme.io'), {}, ctx)).toEqual({ id: 'ana@acme.io' });
    expect(field('createdByType')(version('ana@acme.io'), {}, ctx)).toBeNull();
    // Without settings, nobody is a service.
    expect(field('creator')(version('svc-training-pipeline'), {}, context(undefined))).not.toBeNull();
    expect(field('creator')(version(null), {}, ctx)).toBeNull();
  });
});
