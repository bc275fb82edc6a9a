import { lifecycleOf, lifecycleStats } from '../../../subgraphs/inventory/governance/lifecycle';
import { approvalTicket, cloudVersion, deployment, mlflowVersion, model, settings, ticket } from './facts';

const run = (startTime: string | null) => ({ id: 'r', startTime, gitCommit: 'abc' });

describe('lifecycleOf', () => {
  it('finds each milestone and the days between them', () => {
    const m = model({
      versions: [
        mlflowVersion('1', { run: run('2026-01-03T00:00:00Z'), createdAt: '2026-01-05T00:00:00Z' }),
        mlflowVersion('2', { run: run('2026-01-01T12:00:00Z'), createdAt: '2026-01-04T00:00:00Z', stage: 'Production', updatedAt: '2026-02-10T00:00:00Z' }),
        cloudVersion('1', { createdAt: '2026-01-06T00:00:00Z', approval: 'APPROVED', updatedAt: '2026-01-25T00:00:00Z' }),
      ],
      tickets: [approvalTicket('ML-1', { resolved: '2026-01-20T06:00:00Z' }), ticket('ML-2', { resolved: '2026-01-02T00:00:00Z' })],
      deployments: [
        deployment('primary', null, { createdAt: '2026-02-01T00:00:00Z' }),
        deployment('old', null, { createdAt: '2026-01-15T00:00:00Z', status: 'OUT_OF_SERVICE' }),
      ],
    });
    // Times the tools recorded; the cloud approval and the Production stage only bound theirs
    // (their last updates), and came later, after their versions were registered.
    const exact = {
      ...m,
      versions: m.versions.map((v) => (v.typename === 'CloudModelVersion' ? { ...v, createdAt: '2026-01-21T00:00:00Z' } : v.stage ? { ...v, createdAt: '2026-02-02T00:00:00Z' } : v)),
    };
    expect(lifecycleOf(exact, settings())).toEqual({
      firstRunAt: '2026-01-01T12:00:00Z',
      registeredAt: '2026-01-05T00:00:00Z',
      approvedAt: '2026-01-20T06:00:00Z',
      firstProductionAt: '2026-02-01T00:00:00Z',
      approved: { at: '2026-01-20T06:00:00Z', precision: 'EXACT', source: 'TICKET_RESOLUTION', detail: 'jira/ML-1 resolved' },
      firstProduction: {
        at: '2026-02-01T00:00:00Z',
        precision: 'EXACT',
        source: 'DEPLOYMENT_CREATED',
        detail: 'deployment primary on sagemaker:prod-us endpoint credit-risk-scorer-prod created',
      },
      firstRunToRegisteredDays: 3.5,
      registeredToApprovedDays: 15.25,
      approvedToProductionDays: 11.75,
      firstRunToProductionDays: 30.5,
    });
    // With the cloud approval and the stage possibly set as early as their versions' registration,
    // the ticket and the deployment are only upper bounds of the first approval and production.
    const bounded = lifecycleOf(m, settings());
    expect(bounded.approved).toEqual({
      at: '2026-01-20T06:00:00Z',
      precision: 'AT_MOST',
      source: 'TICKET_RESOLUTION',
      detail: 'jira/ML-1 resolved (or earlier: sagemaker:prod-us version 1 last modified is only an upper bound)',
    });
    expect(bounded.firstProduction).toMatchObject({ at: '2026-02-01T00:00:00Z', precision: 'AT_MOST' });
    expect(bounded.approvedToProductionDays).toBeNull();
    expect(bounded.firstRunToProductionDays).toBe(30.5);
  });

  it('takes a cloud approval and a designation time when they come first, and goes negative when production came before approval', () => {
    const m = model({
      versions: [
        mlflowVersion('1', { run: run('2026-01-01T00:00:00Z'), createdAt: '2026-01-02T00:00:00Z', aliases: ['champion'], updatedAt: '2026-01-03T00:00:00Z' }),
        cloudVersion('1', { createdAt: '2026-01-04T00:00:00Z', approval: 'APPROVED', updatedAt: '2026-01-05T00:00:00Z' }),
      ],
      tickets: [approvalTicket('ML-1', { resolved: '2026-01-06T00:00:00Z' })],
    });
    const l = lifecycleOf(m, settings());
    // Upper bounds: no registry records when it approved or set the alias.
    expect(l.approved).toEqual({ at: '2026-01-05T00:00:00Z', precision: 'AT_MOST', source: 'CLOUD_APPROVAL', detail: 'sagemaker:prod-us version 1 last modified' });
    expect(l.firstProduction).toEqual({ at: '2026-01-03T00:00:00Z', precision: 'AT_MOST', source: 'VERSION_DESIGNATED', detail: 'mlflow:prod version 1 last updated' });
    // From an upper bound, a difference bounds nothing; to one, it is an upper bound.
    expect(l.approvedToProductionDays).toBeNull();
    expect(l.registeredToApprovedDays).toBe(3);
    expect(l.firstRunToProductionDays).toBe(2);
    // An exact approval before production: a negative difference, worth seeing.
    const ticketFirst = lifecycleOf({ ...m, versions: [m.versions[0]!], tickets: [approvalTicket('ML-1', { resolved: '2026-01-04T00:00:00Z' })] }, settings());
    expect(ticketFirst.approved?.precision).toBe('EXACT');
    expect(ticketFirst.approvedToProductionDays).toBe(-1);
  });

  it('leaves unknown milestones and the durations that need them null', () => {
    // A cloud approval without a recorded update has no upper bound: no time.
    const m = model({ versions: [cloudVersion('1', { createdAt: '2026-01-04T00:00:00Z', run: run('2025-01-01T00:00:00Z'), approval: 'APPROVED' })] });
    expect(lifecycleOf(m, settings())).toEqual({
      firstRunAt: null,
      registeredAt: '2026-01-04T00:00:00Z',
      approvedAt: null,
      firstProductionAt: null,
      approved: null,
      firstProduction: null,
      firstRunToRegisteredDays: null,
      registeredToApprovedDays: null,
      approvedToProductionDays: null,
      firstRunToProductionDays: null,
    });
  });

  it('ignores unreadable times and unresolved approval tickets', () => {
    const m = model({
      versions: [mlflowVersion('1', { createdAt: 'yesterday' }), mlflowVersion('2', { createdAt: '2026-03-01T00:00:00Z' })],
      tickets: [approvalTicket('ML-1', { resolved: null })],
    });
    const l = lifecycleOf(m, settings());
    expect(l.registeredAt).toBe('2026-03-01T00:00:00Z');
    expect(l.approvedAt).toBeNull();
  });

  it('does not measure approval to production between two times read from one version update', () => {
    // demand-forecaster: SageMaker approved and Production-staged the same package; both read its LastModifiedTime.
    const v = cloudVersion('4', { approval: 'APPROVED', stage: 'Production', createdAt: '2026-03-01T00:00:00Z', updatedAt: '2026-03-09T00:00:00Z' });
    const l = lifecycleOf(model({ versions: [v] }), settings());
    expect(l.approvedAt).toBe('2026-03-09T00:00:00Z');
    expect(l.firstProductionAt).toBe('2026-03-09T00:00:00Z');
    expect([l.approved?.precision, l.firstProduction?.precision]).toEqual(['AT_MOST', 'AT_MOST']);
    expect(l.approvedToProductionDays).toBeNull();
  });

  describe('an approval ticket’s time', () => {
    const moves = [
      { at: '2026-02-01T00:00:00Z', from: 'To Do', to: 'In Progress' },
      { at: '2026-02-03T00:00:00Z', from: 'In Progress', to: 'Approved' },
      { at: '2026-02-05T00:00:00Z', from: 'Approved', to: 'Done' },
    ];
    const done = approvalTicket('ML-1', { resolved: '2026-02-05T00:00:00Z', statusChanges: moves });
    const approvedOf = (t: typeof done, s = settings()) => lifecycleOf(model({ tickets: [t] }), s).approved;

    it('is its move into the approving status it is in, from the changelog', () => {
      expect(approvedOf(done)).toEqual({ at: '2026-02-05T00:00:00Z', precision: 'EXACT', source: 'TICKET_TRANSITION', detail: 'jira/ML-1 moved to Done' });
    });

    it('is the start of the last run of approving statuses, when they are listed', () => {
      const s = settings({}, { approval: { ...settings().approval, statuses: ['Approved', 'Done'] } });
      expect(approvedOf(done, s)).toMatchObject({ at: '2026-02-03T00:00:00Z', source: 'TICKET_TRANSITION', detail: 'jira/ML-1 moved to Approved' });
      // Reopened and approved again: the second approval counts.
      const again = { ...done, statusChanges: [...moves, { at: '2026-02-07T00:00:00Z', from: 'Done', to: 'In Progress' }, { at: '2026-02-09T00:00:00Z', from: 'In Progress', to: 'Done' }] };
      expect(approvedOf(again, s)?.at).toBe('2026-02-09T00:00:00Z');
    });

    it('is the resolution date when the changelog was not read or does not show the move', () => {
      expect(approvedOf({ ...done, statusChanges: null })).toMatchObject({ at: '2026-02-05T00:00:00Z', source: 'TICKET_RESOLUTION', precision: 'EXACT' });
      expect(approvedOf({ ...done, statusChanges: [] })).toMatchObject({ source: 'TICKET_RESOLUTION' });
    });
  });
});

describe('lifecycleStats', () => {
  it('counts models per group and measures the ones that reached production, sorted by group', () => {
    const stats = lifecycleStats([
      { groups: ['risk', 'all'], daysToProduction: 10 },
      { groups: ['risk', 'all'], daysToProduction: 20 },
      { groups: ['risk', 'all', 'risk'], daysToProduction: null },
      { groups: ['fraud', 'all'], daysToProduction: 4, precision: 'AT_MOST' },
    ]);
    expect(stats).toEqual([
      { group: 'all', count: 4, measured: 3, atMost: 1, medianDays: 10, p90Days: 18 },
      { group: 'fraud', count: 1, measured: 1, atMost: 1, medianDays: 4, p90Days: 4 },
      { group: 'risk', count: 3, measured: 2, atMost: 0, medianDays: 15, p90Days: 19 },
    ]);
  });

  it('has no median for a group nothing of which reached production, and no groups for no models', () => {
    expect(lifecycleStats([{ groups: ['new'], daysToProduction: null, precision: 'AT_MOST' }])).toEqual([
      { group: 'new', count: 1, measured: 0, atMost: 0, medianDays: null, p90Days: null },
    ]);
    expect(lifecycleStats([])).toEqual([]);
  });
});
