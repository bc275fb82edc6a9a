import { canonicalRepoUrl, parseRepoUrl } from '../../connectors/git/repo-url';

describe('parseRepoUrl', () => {
  it.each([
    ['git@github.com:acme-ml/fraud-detector.git', 'https://github.com/acme-ml/fraud-detector'],
    ['https://github.com/acme-ml/fraud-detector.git', 'https://github.com/acme-ml/fraud-detector'],
    ['https://github.com/Acme-ML/Fraud-Detector/', 'https://github.com/acme-ml/fraud-detector'],
    ['ssh://git@github.com/acme-ml/fraud-detector', 'https://github.com/acme-ml/fraud-detector'],
    ['ssh://git@gitlab.example.com:2222/acme-data/forecasting/demand.git', 'https://gitlab.example.com/acme-data/forecasting/demand'],
    ['https://gitlab-ci-token:glcbt-64_s3cr3t@gitlab.com/acme-data/forecasting/demand.git', 'https://gitlab.com/acme-data/forecasting/demand'],
    ['https://gitlab.com/acme-data/forecasting/demand/-/tree/main', 'https://gitlab.com/acme-data/forecasting/demand'],
    ['git://github.com/acme-ml/x.git', 'https://github.com/acme-ml/x'],
  ])('%s -> %s', (raw, canonical) => {
    expect(canonicalRepoUrl(raw)).toBe(canonical);
  });

  it.each([[''], ['/home/ana/projects/fraud'], ['not a url'], ['https://github.com/'], ['file:///tmp/repo']])(
    'is null for %j',
    (raw) => {
      expect(parseRepoUrl(raw)).toBeNull();
    },
  );

  it('keeps the host and the full name apart (GitLab subgroups included)', () => {
    expect(parseRepoUrl('git@gitlab.com:acme-data/forecasting/demand.git')).toEqual({
      hostname: 'gitlab.com',
      fullName: 'acme-data/forecasting/demand',
      canonicalUrl: 'https://gitlab.com/acme-data/forecasting/demand',
    });
  });
});
