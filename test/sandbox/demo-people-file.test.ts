import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { demoPeopleAliases, generateDemoOrg } from '../../sandbox';
import { PeopleDirectory } from '../../subgraphs/common/identity';

/**
 * docker-compose's demo reads examples/people.demo.yaml, the aliases of the default demo
 * organisation (seed 42, 36 models). It must stay what the generator says; after changing
 * the generator, write it again from `demoPeopleAliases(generateDemoOrg())` with yaml's
 * `stringify`.
 */
describe('examples/people.demo.yaml', () => {
  it('is the people aliases of the default demo organisation, and a valid aliases file', () => {
    const path = join(__dirname, '..', '..', 'examples', 'people.demo.yaml');
    const expected = demoPeopleAliases(generateDemoOrg());
    expect(parse(readFileSync(path, 'utf8'))).toEqual(expected);
    expect(() => PeopleDirectory.fromFile(path)).not.toThrow();
  });
});
