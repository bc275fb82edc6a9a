import { MlflowError } from '../../sandbox/mlflow/errors';
import {
  likeToRegExp,
  matchesClause,
  parseExperimentFilter,
  parseModelVersionFilter,
  parseModelVersionOrderBy,
  parseRegisteredModelFilter,
  parseRegisteredModelOrderBy,
  parseRunFilter,
  parseRunOrderBy,
} from '../../sandbox/mlflow/filter';

function failure(fn: () => unknown): MlflowError {
  try {
    fn();
  } catch (err) {
    if (err instanceof MlflowError) return err;
    throw err;
  }
  throw new Error('expected an MlflowError');
}

describe('runs filter', () => {
  it('reads tags with dotted, backticked and double-quoted keys', () => {
    const sha = 'a'.repeat(40);
    for (const key of ['tags.mlflow.source.git.commit', 'tags.`mlflow.source.git.commit`', 'tags."mlflow.source.git.commit"']) {
      expect(parseRunFilter(`${key} = '${sha}'`)).toEqual([
        { type: 'tag', key: 'mlflow.source.git.commit', comparator: '=', value: sha },
      ]);
    }
  });

  it('ANDs params, metrics and attributes, case-insensitively', () => {
    const clauses = parseRunFilter("params.max_depth = '6' and metrics.auc >= 0.9 AND attributes.status = 'FINISHED'");
    expect(clauses.map((c) => [c.type, c.key, c.comparator, c.value])).toEqual([
      ['param', 'max_depth', '=', '6'],
      ['metric', 'auc', '>=', 0.9],
      ['attribute', 'status', '=', 'FINISHED'],
    ]);
  });

  it('accepts a run_id list and drops ids that are not lower case, as MLflow does', () => {
    const [clause] = parseRunFilter("attributes.run_id IN ('abc123', 'DEF456', 'f00')");
    expect(clause).toMatchObject({ type: 'attribute', key: 'run_id', comparator: 'IN', value: ['abc123', 'f00'] });
    expect(parseRunFilter("attribute.run_id = 'abc'")[0]).toMatchObject({ key: 'run_id', comparator: '=', value: 'abc' });
  });

  it('rejects what MLflow rejects, with its messages', () => {
    expect(failure(() => parseRunFilter("metrics.auc > 'high'")).message).toBe('Expected numeric value type for metric. Found \'high\'');
    expect(failure(() => parseRunFilter("tags.a = 'x' OR tags.b = 'y'")).message).toBe(
      "Invalid clause(s) in filter string: 'OR tags.b = 'y''",
    );
    expect(failure(() => parseRunFilter("attributes.status IN ('FINISHED')")).message).toBe(
      "Only the 'run_id' attribute supports comparison with a list of quoted string values.",
    );
    expect(failure(() => parseRunFilter("foo.bar = 'x'")).message).toMatch(/^Invalid entity type 'foo'/);
    expect(failure(() => parseRunFilter("attributes.color = 'x'")).message).toMatch(/^Invalid attribute key 'color' specified/);
    expect(failure(() => parseRunFilter('params.lr = 0.1')).message).toBe(
      "Expected a quoted string value for parameter (e.g. 'my-value'). Got value 0.1",
    );
    // MLflow raises this one without an error code: it surfaces as a 500.
    expect(failure(() => parseRunFilter("tags.team > 'a'")).errorCode).toBe('INTERNAL_ERROR');
  });

  it('orders by metrics, params, tags and attributes', () => {
    expect(parseRunOrderBy(['metrics.auc DESC', 'start_time', 'tags.`mlflow.runName` asc'])).toEqual([
      { type: 'metric', key: 'auc', ascending: false },
      { type: 'attribute', key: 'start_time', ascending: true },
      { type: 'tag', key: 'mlflow.runName', ascending: true },
    ]);
    expect(failure(() => parseRunOrderBy(['metrics.auc sideways'])).message).toBe(
      "Invalid ordering key in order_by clause 'metrics.auc sideways'.",
    );
  });
});

describe('registered models filter', () => {
  it('supports name =, LIKE, ILIKE and tags', () => {
    const clauses = parseRegisteredModelFilter("name ILIKE '%FRAUD%' AND tags.team = 'risk'");
    expect(clauses.map((c) => [c.type, c.key, c.comparator, c.value])).toEqual([
      ['attribute', 'name', 'ILIKE', '%FRAUD%'],
      ['tag', 'team', '=', 'risk'],
    ]);
    expect(matchesClause(clauses[0]!, 'fraud-detector')).toBe(true);
    expect(matchesClause(clauses[0]!, 'churn')).toBe(false);
  });

  it('rejects other attributes, comparators and lists', () => {
    expect(failure(() => parseRegisteredModelFilter("description = 'x'")).message).toBe(
      "Invalid attribute key 'description' specified. Valid keys are '{'name'}'",
    );
    expect(failure(() => parseRegisteredModelFilter("name > 'a'")).message).toBe('Invalid comparator for attribute: >');
    expect(failure(() => parseRegisteredModelFilter("name IN ('a')")).message).toBe(
      "Only the 'run_id' attribute supports comparison with a list of quoted string values.",
    );
    expect(failure(() => parseRegisteredModelFilter('name = fraud')).message).toMatch(/^Parameter value is either not quoted/);
  });

  it('orders by name and timestamps, and refuses duplicates as a 500', () => {
    expect(parseRegisteredModelOrderBy(['timestamp DESC'])).toEqual([
      { type: 'attribute', key: 'last_updated_timestamp', ascending: false },
    ]);
    expect(failure(() => parseRegisteredModelOrderBy(['owner'])).message).toMatch(/^Invalid order by key 'owner' specified/);
    expect(failure(() => parseRegisteredModelOrderBy(['name', 'name DESC'])).errorCode).toBe('INTERNAL_ERROR');
  });
});

describe('model versions filter', () => {
  it('allows IN only for run_id', () => {
    expect(parseModelVersionFilter("run_id IN ('a1', 'b2')")[0]).toMatchObject({ comparator: 'IN', value: ['a1', 'b2'] });
    const err = failure(() => parseModelVersionFilter("name IN ('fraud-detector', 'churn-predictor')"));
    expect(err.errorCode).toBe('INVALID_PARAMETER_VALUE');
    expect(err.message).toBe("Only the 'run_id' attribute supports comparison with a list of quoted string values.");
  });

  it('compares version_number as a number and source_path with LIKE', () => {
    const [version, source] = parseModelVersionFilter("version_number >= 3 AND source_path LIKE 's3://%'");
    expect(version).toMatchObject({ key: 'version_number', comparator: '>=', value: 3 });
    expect(matchesClause(version!, 4)).toBe(true);
    expect(matchesClause(version!, 2)).toBe(false);
    expect(matchesClause(source!, 's3://bucket/model')).toBe(true);
    expect(matchesClause(source!, 'models:/m-1')).toBe(false);
    expect(failure(() => parseModelVersionFilter('run_id = 3')).message).toMatch(/attributes support comparison with numeric values/);
  });

  it('orders by the version keys only', () => {
    expect(parseModelVersionOrderBy(['version_number ASC'])).toEqual([{ type: 'attribute', key: 'version_number', ascending: true }]);
    expect(failure(() => parseModelVersionOrderBy(['stage'])).message).toMatch(/^Invalid attribute key 'stage' specified/);
  });
});

describe('experiments filter', () => {
  it('supports name comparisons and tags, but no attribute prefix other than "attribute"', () => {
    expect(parseExperimentFilter("name LIKE '%fraud%' AND tags.team != 'risk'").map((c) => c.comparator)).toEqual(['LIKE', '!=']);
    expect(failure(() => parseExperimentFilter("attributes.name = 'x'")).message).toMatch(/^Invalid entity type 'attributes'/);
  });
});

describe('LIKE', () => {
  it('treats % and _ as wildcards and everything else literally', () => {
    expect(likeToRegExp('fraud_%', false).test('fraud-detector')).toBe(true);
    expect(likeToRegExp('a.b', false).test('axb')).toBe(false);
    expect(likeToRegExp('FRAUD%', false).test('fraud-detector')).toBe(false);
    expect(likeToRegExp('FRAUD%', true).test('fraud-detector')).toBe(true);
  });
});
