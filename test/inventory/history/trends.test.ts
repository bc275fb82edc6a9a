import { findingTrends, MAX_PERIODS, nextPeriod, periodsBetween, periodStart, productionTrends } from '../../../subgraphs/inventory/history/trends';
import type { FindingEpisode } from '../../../subgraphs/inventory/history/types';

const DAY = 86_400_000;
const at = (iso: string) => Date.parse(iso);

function episode(over: Partial<FindingEpisode>): FindingEpisode {
  return {
    id: 1,
    fingerprint: 'f',
    rule: 'NO_OWNER',
    severity: 'MEDIUM',
    message: '',
    modelKey: 'm',
    teams: [],
    waived: false,
    openedAt: at('2026-03-02T10:00:00Z'),
    lastSeenAt: at('2026-03-02T10:00:00Z'),
    resolvedAt: null,
    ...over,
  };
}

describe('periods', () => {
  it('are UTC days, ISO weeks from Monday, and calendar months', () => {
    // Sunday 2026-03-08, late evening.
    const sunday = at('2026-03-08T23:30:00Z');
    expect(new Date(periodStart(sunday, 'DAY')).toISOString()).toBe('2026-03-08T00:00:00.000Z');
    expect(new Date(periodStart(sunday, 'WEEK')).toISOString()).toBe('2026-03-02T00:00:00.000Z');
    expect(new Date(periodStart(sunday, 'MONTH')).toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(new Date(nextPeriod(at('2026-12-01T00:00:00Z'), 'MONTH')).toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(periodsBetween(at('2026-01-31T12:00:00Z'), at('2026-03-01T00:00:00Z'), 'MONTH').map((p) => new Date(p).toISOString().slice(0, 7))).toEqual([
      '2026-01',
      '2026-02',
    ]);
  });

  it('refuse more than MAX_PERIODS in one answer', () => {
    expect(() => periodsBetween(0, (MAX_PERIODS + 1) * DAY, 'DAY')).toThrow(RangeError);
    expect(periodsBetween(0, MAX_PERIODS * DAY, 'DAY')).toHaveLength(MAX_PERIODS);
  });
});

describe('findingTrends', () => {
  it('counts a finding of a model two teams own for both, and one without a team as (none)', () => {
    const rows = findingTrends(
      [episode({ teams: ['@acme/a', '@acme/b'] }), episode({ id: 2, teams: [], resolvedAt: at('2026-03-04T10:00:00Z') })],
      { period: 'WEEK', groupBy: 'TEAM', since: at('2026-03-02T00:00:00Z'), until: at('2026-03-09T00:00:00Z') },
    );
    expect(rows).toEqual([
      { periodStart: at('2026-03-02T00:00:00Z'), group: '(none)', opened: 1, resolved: 1, openAtEnd: 0, medianDaysToResolve: 2 },
      { periodStart: at('2026-03-02T00:00:00Z'), group: '@acme/a', opened: 1, resolved: 0, openAtEnd: 1, medianDaysToResolve: null },
      { periodStart: at('2026-03-02T00:00:00Z'), group: '@acme/b', opened: 1, resolved: 0, openAtEnd: 1, medianDaysToResolve: null },
    ]);
  });

  it('counts a finding opened before `since` as open, not opened, in the periods after', () => {
    const rows = findingTrends([episode({ openedAt: at('2026-01-15T00:00:00Z') })], {
      period: 'MONTH',
      groupBy: 'SEVERITY',
      since: at('2026-03-01T00:00:00Z'),
      until: at('2026-05-01T00:00:00Z'),
    });
    expect(rows.map((r) => [new Date(r.periodStart).toISOString().slice(0, 7), r.opened, r.openAtEnd])).toEqual([
      ['2026-03', 0, 1],
      ['2026-04', 0, 1],
    ]);
  });

  it('takes the median days to resolve of the findings resolved in the period', () => {
    const opened = at('2026-03-02T00:00:00Z');
    const rows = findingTrends(
      [1, 2, 6].map((days, i) => episode({ id: i, openedAt: opened, resolvedAt: opened + days * DAY })),
      { period: 'MONTH', groupBy: 'RULE', since: opened, until: at('2026-04-01T00:00:00Z') },
    );
    expect(rows).toEqual([{ periodStart: at('2026-03-01T00:00:00Z'), group: 'NO_OWNER', opened: 3, resolved: 3, openAtEnd: 0, medianDaysToResolve: 2 }]);
  });
});

describe('productionTrends', () => {
  it('lists every period, empty ones included, with the models that reached production in it', () => {
    const rows = productionTrends(
      [
        { firstProductionAt: '2026-01-10T00:00:00Z', firstRunToProductionDays: 10 },
        { firstProductionAt: '2026-01-20T00:00:00Z', firstRunToProductionDays: 30 },
        { firstProductionAt: '2026-03-05T00:00:00Z', firstRunToProductionDays: null },
        { firstProductionAt: null, firstRunToProductionDays: null },
      ],
      { period: 'MONTH', since: at('2026-01-01T00:00:00Z'), until: at('2026-04-01T00:00:00Z') },
    );
    expect(rows).toEqual([
      { periodStart: at('2026-01-01T00:00:00Z'), models: 2, measured: 2, medianDaysToProduction: 20, p90DaysToProduction: 28 },
      { periodStart: at('2026-02-01T00:00:00Z'), models: 0, measured: 0, medianDaysToProduction: null, p90DaysToProduction: null },
      { periodStart: at('2026-03-01T00:00:00Z'), models: 1, measured: 0, medianDaysToProduction: null, p90DaysToProduction: null },
    ]);
  });
});
