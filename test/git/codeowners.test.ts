import { matchesPattern, ownersOf, parseCodeOwners } from '../../connectors/git/codeowners';

describe('CODEOWNERS patterns (GitHub and GitLab documentation examples)', () => {
  it.each([
    ['*', 'any/file.py', true],
    ['*.js', 'src/deep/app.js', true],
    ['*.js', 'src/app.ts', false],
    ['/build/logs/', 'build/logs/today/x.log', true],
    ['/build/logs/', 'src/build/logs/x.log', false],
    ['apps/', 'services/apps/main.go', true],
    ['apps/', 'apps', false],
    ['docs/*', 'docs/getting-started.md', true],
    ['docs/*', 'docs/build-app/troubleshooting.md', false],
    ['/scripts/', 'scripts/deploy.sh', true],
    ['**/logs', 'deep/down/logs/a.txt', true],
    ['/docs/**/*.md', 'docs/a/b/c.md', true],
    ['/docs/**/*.md', 'docs/c.md', true],
    ['/docs/**/*.md', 'src/docs/c.md', false],
    ['models/fraud', 'models/fraud/train.py', true],
    ['README.md', 'sub/README.md', true],
    ['/README.md', 'sub/README.md', false],
  ])('%s vs %s -> %s', (pattern, path, expected) => {
    expect(matchesPattern(pattern, path)).toBe(expected);
  });
});

describe('parseCodeOwners / ownersOf', () => {
  const github = [
    '# Default owners',
    '*       @acme-ml/ml-platform',
    '',
    '*.py    @ana   # python',
    '/models/fraud/   @acme-ml/risk @bob',
    '/models/fraud/README.md',
    'path\\ with\\ space/ @carol',
    'issue\\#42.txt @dave',
  ].join('\n');

  it('lets the last matching rule win (GitHub)', () => {
    const parsed = parseCodeOwners(github, 'github');
    expect(ownersOf(parsed, 'models/fraud/train.py')).toEqual(['@acme-ml/risk', '@bob']);
    expect(ownersOf(parsed, 'lib/util.py')).toEqual(['@ana']);
    expect(ownersOf(parsed, 'Makefile')).toEqual(['@acme-ml/ml-platform']);
    // A later rule without owners leaves the path unowned.
    expect(ownersOf(parsed, 'models/fraud/README.md')).toEqual([]);
    expect(ownersOf(parsed, 'path with space/x')).toEqual(['@carol']);
    expect(ownersOf(parsed, 'issue#42.txt')).toEqual(['@dave']);
    expect(parsed.rules.map((r) => r.line)).toEqual([2, 4, 5, 6, 7, 8]);
  });

  it('reads GitLab sections: default owners, optional sections, approvals, owners merged across sections', () => {
    const gitlab = [
      '* @platform',
      '[Models][2] @ml-leads',
      '/models/',
      '/models/forecast/ @dana @group/forecasting',
      '^[Docs]',
      '*.md @writers',
      '[models]',
      '/models/legacy/ @old-team',
    ].join('\n');
    const parsed = parseCodeOwners(gitlab, 'gitlab');
    expect(parsed.sections).toEqual([
      { name: 'Models', optional: false, approvals: 2, defaultOwners: ['@ml-leads'] },
      { name: 'Docs', optional: true, approvals: 1, defaultOwners: [] },
    ]);
    expect(ownersOf(parsed, 'models/churn/train.py')).toEqual(['@platform', '@ml-leads']);
    expect(ownersOf(parsed, 'models/forecast/README.md')).toEqual(['@platform', '@dana', '@group/forecasting', '@writers']);
    // `[models]` continues the `Models` section: last match wins within it.
    expect(ownersOf(parsed, 'models/legacy/x.py')).toEqual(['@platform', '@old-team']);
  });

  it('does not read GitHub files as sections', () => {
    const parsed = parseCodeOwners('[Docs] @x\n*.md @y', 'github');
    expect(parsed.sections).toEqual([]);
    expect(ownersOf(parsed, 'a.md')).toEqual(['@y']);
  });
});
