import { useState } from 'react';
import TRENDS from '../../graphql/trends.graphql?raw';
import { BarChart, Loading, Problems, Section, formatDays } from '../components';
import { useQuery } from '../use-query';

interface TrendsData {
  findingTrends: Array<{ periodStart: string; group: string; opened: number; resolved: number; openAtEnd: number; medianDaysToResolve: number | null }> | null;
  productionTrends: Array<{ periodStart: string; models: number; measured: number; medianDaysToProduction: number | null; p90DaysToProduction: number | null }> | null;
}

const period = (iso: string, by: string) => (by === 'MONTH' ? iso.slice(0, 7) : iso.slice(0, 10));

/** Findings and time to production over time, from the governance history (Query.findingTrends, productionTrends). */
export function Trends() {
  const [by, setBy] = useState('WEEK');
  const [groupBy, setGroupBy] = useState('RULE');
  const state = useQuery<TrendsData>(TRENDS, { period: by, groupBy });
  const findingRows = state.data?.findingTrends ?? [];
  // Per period, summed over the groups; the latest periods last.
  const perPeriod = new Map<string, { opened: number; resolved: number; open: number }>();
  for (const row of findingRows) {
    const p = period(row.periodStart, by);
    const sum = perPeriod.get(p) ?? { opened: 0, resolved: 0, open: 0 };
    perPeriod.set(p, { opened: sum.opened + row.opened, resolved: sum.resolved + row.resolved, open: sum.open + row.openAtEnd });
  }
  const periods = [...perPeriod].sort(([a], [b]) => a.localeCompare(b)).slice(-12);
  const latest = findingRows.length ? findingRows.reduce((a, r) => (r.periodStart > a ? r.periodStart : a), '') : undefined;
  const latestByGroup = findingRows.filter((r) => r.periodStart === latest).map((r) => ({ label: r.group, value: r.openAtEnd }));
  return (
    <>
      <h2 id="trends">Trends</h2>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <select aria-label="Period" value={by} onChange={(e) => setBy(e.target.value)}>
          <option value="DAY">Per day</option>
          <option value="WEEK">Per week</option>
          <option value="MONTH">Per month</option>
        </select>
        <select aria-label="Group findings by" value={groupBy} onChange={(e) => setGroupBy(e.target.value)}>
          <option value="RULE">By rule</option>
          <option value="TEAM">By team</option>
          <option value="SEVERITY">By severity</option>
        </select>
      </form>
      <Problems state={state} />
      {state.loading && !state.data ? <Loading what="trends" /> : null}
      {state.data ? (
        <div className="grid2" data-testid="trends">
          <Section title="Open findings at each period's end">
            <BarChart label="Open findings per period" bars={periods.map(([p, v]) => ({ label: p, value: v.open, title: `${p}: ${v.open} open, ${v.opened} opened, ${v.resolved} resolved` }))} />
          </Section>
          <Section title={`Open now, by ${groupBy.toLowerCase()}`}>
            <BarChart label="Open findings now per group" bars={latestByGroup.sort((a, b) => b.value - a.value)} />
          </Section>
          <Section title="Findings opened and resolved">
            <table className="table">
              <thead>
                <tr>
                  <th>Period</th>
                  <th>Opened</th>
                  <th>Resolved</th>
                  <th>Open at end</th>
                </tr>
              </thead>
              <tbody>
                {periods.map(([p, v]) => (
                  <tr key={p}>
                    <td>{p}</td>
                    <td>{v.opened}</td>
                    <td>{v.resolved}</td>
                    <td>{v.open}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
          <Section title="Models reaching production per month">
            <p className="muted">The latest 12 months in which any did.</p>
            <BarChart
              label="Models reaching production per month"
              bars={(state.data.productionTrends ?? []).filter((t) => t.models > 0).slice(-12).map((t) => ({
                label: period(t.periodStart, 'MONTH'),
                value: t.models,
                title: `${period(t.periodStart, 'MONTH')}: ${t.models} models, median ${formatDays(t.medianDaysToProduction)} to production`,
              }))}
            />
          </Section>
        </div>
      ) : null}
    </>
  );
}
