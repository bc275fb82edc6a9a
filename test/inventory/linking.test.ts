import { SourceError, SourceErrorCode } from '../../connectors/core/errors';
import type { SourceRef } from '../../connectors/core/source';
import { linkModels, modelKeyFor, normaliseModelKey, readOverrides, type RegistryEntry } from '../../subgraphs/inventory/linking';
import { createModelLister, type ModelListingSource } from '../../subgraphs/inventory/model-listing';

const ref = (instance: string, nativeId: string): SourceRef => ({ kind: 'MLFLOW', instance, nativeId, url: null });
const entry = (instance: string, name: string, tags: Record<string, string> = {}): RegistryEntry => ({
  ref: ref(instance, name),
  name,
  tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
});

describe('linking rules', () => {
  it.each([
    ['fraud-detector', 'fraud-detector'],
    ['Fraud_Detector', 'fraud-detector'],
    ['FraudDetector', 'fraud-detector'],
    ['  churn predictor v2 ', 'churn-predictor-v2'],
    ['main.risk.Credit_Scorer', 'main-risk-credit-scorer'],
    ['Modèle Élan', 'modele-elan'],
  ])('normalises %j to %j', (name, key) => {
    expect(normaliseModelKey(name)).toBe(key);
  });

  it('lets a registry tag name the key, over the name', () => {
    expect(modelKeyFor(entry('prod', 'fd_v2_final', { 'modelgraph.key': 'Fraud Detector' }), 'modelgraph.key')).toEqual({
      key: 'fraud-detector',
      rule: 'TAG',
      detail: 'tag modelgraph.key=Fraud Detector',
    });
    expect(modelKeyFor(entry('prod', 'fd_v2_final', { other: 'x' }), 'modelgraph.key')).toEqual({
      key: 'fd-v2-final',
      rule: 'NAME',
      detail: 'name "fd_v2_final"',
    });
    // An empty tag names nothing: the name decides.
    expect(modelKeyFor(entry('prod', 'fd_v2_final', { 'modelgraph.key': ' ' }), 'modelgraph.key').rule).toBe('NAME');
  });

  it('reads the tag with dashes where keys cannot hold dots (Vertex AI labels)', () => {
    expect(modelKeyFor(entry('eu', '4471', { 'modelgraph-key': 'churn-predictor' }), 'modelgraph.key')).toMatchObject({
      key: 'churn-predictor',
      rule: 'TAG',
    });
  });

  it('lets an explicit override win over tag and name, for one registry entry', () => {
    const rules = { keyTag: 'modelgraph.key', overrides: { 'mlflow:prod:legacy_pricing': 'Pricing Model' } };
    expect(modelKeyFor(entry('prod', 'legacy_pricing', { 'modelgraph.key': 'x' }), rules)).toEqual({
      key: 'pricing-model',
      rule: 'OVERRIDE',
      detail: 'overrides file: mlflow:prod:legacy_pricing -> Pricing Model',
    });
    expect(modelKeyFor(entry('research', 'legacy_pricing'), rules).rule).toBe('NAME');
  });

  it('keeps two different models with similar names apart', () => {
    const models = linkModels([entry('prod', 'churn-predictor'), entry('prod', 'churn-predictor-v2'), entry('research', 'churn_predictor_2')], 'modelgraph.key');
    expect(models.map((m) => m.key)).toEqual(['churn-predictor', 'churn-predictor-2', 'churn-predictor-v2']);
  });

  it('links entries of different instances with the same key into one model, sorted by key', () => {
    const models = linkModels(
      [entry('prod', 'churn-predictor'), entry('prod', 'ad-ctr'), entry('research', 'churn_predictor'), entry('research', 'churn-predictor-exp')],
      'modelgraph.key',
    );
    expect(models.map((m) => [m.key, m.refs.map((r) => `${r.instance}:${r.nativeId}`)])).toEqual([
      ['ad-ctr', ['prod:ad-ctr']],
      ['churn-predictor', ['prod:churn-predictor', 'research:churn_predictor']],
      ['churn-predictor-exp', ['research:churn-predictor-exp']],
    ]);
    // Each ref says why it is there.
    expect(models[1].linkEvidence.map((e) => [e.ref.instance, e.rule, e.detail])).toEqual([
      ['prod', 'NAME', 'name "churn-predictor"'],
      ['research', 'NAME', 'name "churn_predictor"'],
    ]);
  });
});

describe('createModelLister', () => {
  const failing: ModelListingSource = {
    source: 'mlflow:research',
    listEntries: async () => {
      throw new SourceError({ source: 'mlflow:research', code: SourceErrorCode.SOURCE_UNAVAILABLE, message: 'down' });
    },
  };

  it('keeps the models of healthy sources and reports the failed one', async () => {
    const healthy: ModelListingSource = { source: 'mlflow:prod', listEntries: async () => [entry('prod', 'a')] };
    const listing = await createModelLister([healthy, failing], { keyTag: 'modelgraph.key' })();
    expect(listing.models.map((m) => m.key)).toEqual(['a']);
    expect(listing.failures.map((f) => f.source)).toEqual(['mlflow:research']);
  });

  it('reuses the linked result while the sources hand back the same entries, and relinks when they change', async () => {
    let entries = [entry('prod', 'a')];
    const source: ModelListingSource = { source: 'mlflow:prod', listEntries: async () => entries };
    const list = createModelLister([source], { keyTag: 'modelgraph.key' });
    const first = await list();
    expect((await list()).models).toBe(first.models);
    entries = [entry('prod', 'a'), entry('prod', 'b')];
    expect((await list()).models.map((m) => m.key)).toEqual(['a', 'b']);
  });

  it('does not hide a bug: an error that is not an upstream failure propagates', async () => {
    const broken: ModelListingSource = {
      source: 'mlflow:prod',
      listEntries: async () => {
        throw new TypeError('boom');
      },
    };
    await expect(createModelLister([broken], { keyTag: 'modelgraph.key' })()).rejects.toThrow('boom');
  });
});

describe('readOverrides', () => {
  it('reads explicit links and names a bad entry', () => {
    expect(readOverrides('links:\n  "sagemaker:prod-us:legacy-pricing-model": price-optimizer\n', 'o.yaml')).toEqual({
      'sagemaker:prod-us:legacy-pricing-model': 'price-optimizer',
    });
    expect(() => readOverrides('links:\n  "slack:x:y": a\n', 'o.yaml')).toThrow(/o\.yaml: links\."slack:x:y": must be <kind>:<instance>:<native id>/);
    expect(() => readOverrides('links:\n  "mlflow:prod:a": "!!!"\n', 'o.yaml')).toThrow(/must name a model key/);
  });
});
