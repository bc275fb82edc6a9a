import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * In a process of its own (jest's sandboxed `process` is not the one node emits warnings
 * on), against the build `npm test` makes first, as the CLI runs it.
 */
const DIST = join(__dirname, '..', '..', 'dist');

describe('process warnings', () => {
  it('become one JSON warn line each instead of plain text on stderr', () => {
    const script = `
      const { logProcessWarnings } = require(${JSON.stringify(join(DIST, 'cli', 'process-warnings.js'))});
      const { createLogger } = require(${JSON.stringify(join(DIST, 'connectors', 'core', 'logger.js'))});
      logProcessWarnings(createLogger({ bindings: { service: 'modelgraph' } }));
      process.emitWarning('NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)\\nversions published after...', { code: 'TEST' });
    `;
    const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
    expect(result.status).toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({
      level: 'warn',
      msg: 'process warning',
      service: 'modelgraph',
      warning: 'Warning',
      code: 'TEST',
      message: expect.stringContaining('NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)\nversions'),
    });
  });
});
