import type { GraphQLResolveInfo } from 'graphql';
import { responsePathAsArray } from 'graphql';
import { SourceError } from '../../connectors/core/errors';
import type { PartialErrorsContext } from './partial-errors';

/**
 * Runs one load per source and merges the answers. A failed source costs only its own
 * share: if every source failed the field fails with the first error; otherwise the field
 * answers with the rest and each failure is reported as a partial error naming its source.
 * Errors that are not upstream failures are bugs, and are never hidden.
 */
export async function acrossSources<T>(
  ctx: PartialErrorsContext,
  info: GraphQLResolveInfo,
  loads: Array<() => Promise<T[]>>,
): Promise<T[]> {
  const settled = await Promise.allSettled(loads.map((load) => load()));
  const values: T[] = [];
  const failures: SourceError[] = [];
  for (const result of settled) {
    if (result.status === 'fulfilled') values.push(...result.value);
    else if (result.reason instanceof SourceError) failures.push(result.reason);
    else throw result.reason;
  }
  if (failures.length > 0 && failures.length === settled.length) throw failures[0];
  const path = responsePathAsArray(info.path);
  for (const failure of failures) ctx.partialErrors.add(failure, path);
  return values;
}
