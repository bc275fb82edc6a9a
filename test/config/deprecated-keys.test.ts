import { configSchema } from '../../config/schema';
import { createLogger } from '../../connectors/core/logger';
import { createRuntime } from '../../gateway/stack';

/** A key an earlier version needed still loads, and the log says it is no longer used. */
describe('inventory.graphUrl', () => {
  function warnings(config: Record<string, unknown>): string[] {
    const lines: Array<{ level: string; msg: string }> = [];
    const runtime = createRuntime(configSchema.parse(config), createLogger({ level: 'info', write: (line) => lines.push(JSON.parse(line)) }));
    void runtime.close();
    return lines.filter((l) => l.level === 'warn').map((l) => l.msg);
  }

  it('is accepted, with a warning to remove it', () => {
    expect(warnings({ inventory: { graphUrl: 'http://gateway:4000/graphql' } })).toEqual([
      'inventory.graphUrl is no longer used (the indexes read the sources directly): remove it from the configuration',
    ]);
  });

  it('warns about nothing when it is not set', () => {
    expect(warnings({})).toEqual([]);
  });
});
