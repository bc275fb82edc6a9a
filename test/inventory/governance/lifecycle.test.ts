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
    expect(lifecycleOf(m, settings())).toEqual({
      firstRunAt: '2026-01-01T12:00:00Z',
      registeredAt: '2026-01-04T00:00:00Z',
      approvedAt: '2026-01-20T06:00:00Z',
      firstProductionAt: '2026-02-01T00:00:00Z',
      firstRunToRegisteredDays: 2.5,
      registeredToApprovedDays: 16.25,
      approvedToProductionDays: 11.75,
      firstRunToProductionDays: 30.5,
    });
  });

  it('takes a cloud approval and a designation time when they come first, and goes negative when production came before approval', () => {
    const m = model({
      versions: [
        mlflowVersion('1', { run: run('2026-01-01T00:00:00Z'), createdAt: '2026-01-02T00:00:00Z', aliases: ['champion'], updatedAt: '2026-01-03T00:00:00Z' }),
        cloudVersion('1', { createdAt: '2026-01-04T00:00:00Z', approval: 'APPROVED' }),
      ],
    });
    const l = lifecycleOf(m, settings());
    expect(l.approvedAt).toBe('2026-01-04T00:00:00Z');
    expect(l.firstProductionAt).toBe('2026-01-03T00:00:00Z');
    expect(l.approvedToProductionDays).toBe(-1);
    expect(l.firstRunToProductionDays).toBe(2);
  });

  it('leaves unknown milestones and the durations that need them null', () => {
    const m = model({ versions: [cloudVersion('1', { createdAt: '2026-01-04T00:00:00Z', run: run('2025-01-01T00:00:00Z') })] });
    expect(lifecycleOf(m, settings())).toEqual({
      firstRunAt: null,
      registeredAt: '2026-01-04T00:00:00Z',
      approvedAt: null,
      firstProductionAt: null,
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
});

describe('lifecycleStats', () => {
  it('counts models per group and measures the ones that reached production, sorted by group', () => {
    const stats = lifecycleStats([
      { groups: ['risk', 'all'], daysToProduction: 10 },
      { groups: ['risk', 'all'], daysToProduction: 20 },
      { groups: ['risk', 'all', 'risk'], daysToProduction: null },
      { groups: ['fraud', 'all'], daysToProduction: 4 },
    ]);
    expect(stats).toEqual([
      { group: 'all', count: 4, measured: 3, medianDays: 10, p90Days: 18 },
      { group: 'fraud', count: 1, measured: 1, medianDays: 4, p90Days: 4 },
      { group: 'risk', count: 3, measured: 2, medianDays: 15, p90Days: 19 },
    ]);
  });

  it('has no median for a group nothing of which reached production, and no groups for no models', () => {
    expect(lifecycleStats([{ groups: ['new'], daysToProduction: null }])).toEqual([
      { group: 'new', count: 1, measured: 0, medianDays: null, p90Days: null },
    ]);
    expect(lifecycleStats([])).toEqual([]);
  });
});
