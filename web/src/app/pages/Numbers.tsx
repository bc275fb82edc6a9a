import NUMBERS from '../../graphql/numbers.graphql?raw';
import { BarChart, Loading, Problems, Section, formatDays, histogram } from '../components';
import { useQuery } from '../use-query';
import { teamsOf } from './Findings';
import { Trends } from './Trends';

interface NumbersData {
  byTeam: Array<{ group: string; count: number; measured: number; medianDaysToProduction: number | null; p90DaysToProduction: number | null }> | null;
  slowest: { totalCount: number; nodes: Array<{ key: string; lifecycle: { firstRunToProductionDays: number | null } | null }> } | null;
  findings: { totalCount: number; nodes: Array<{ rule: string; severity: string; model: { key: string; codeOwners: Array<{ handle: string; kind: string }> | null } | null }> } | null;
}

const DAY_BUCKETS = [0, 7, 14, 30, 60, 90, 180];

function counts(keys: string[]): Array<{ label: string; value: number }> {
  const map = new Map<string, number>();
  for (const k of keys) map.set(k, (map.get(k) ?? 0) + 1);
  return [...map].map(([label, value]) => ({ label, value })).sort((a, b) => b.value - a.value);
}

export function NumbersPage() {
  const state = useQuery<NumbersData>(NUMBERS);
  const data = state.data;
  const days = (data?.slowest?.nodes ?? []).map((m) => m.lifecycle?.firstRunToProductionDays).filter((d): d is number => typeof d === 'number');
  return (
    <div>
      <h1>Numbers</h1>
      <Problems state={state} />
      {state.loading && !data ? <Loading what="the numbers" /> : null}
      {data ? (
        <>
          <div className="grid2">
            <Section title="Time to production, per model">
              <p className="muted">
                First run to first production
                {(data.slowest?.nodes.length ?? 0) < (data.slowest?.totalCount ?? 0) ? `, of the ${data.slowest?.nodes.length} slowest of ${data.slowest?.totalCount} models` : `, of all ${data.slowest?.totalCount ?? 0} models`}: {days.length} reached
                production.
              </p>
              <BarChart label="Models by days from first run to production" bars={histogram(days, DAY_BUCKETS)} />
            </Section>
            <Section title="Time to production, per team (median)">
              <BarChart
                label="Median days to production per team"
                unit=" d"
                bars={(data.byTeam ?? [])
                  .filter((t) => t.medianDaysToProduction !== null)
                  .map((t) => ({
                    label: t.group,
                    value: t.medianDaysToProduction!,
                    title: `${t.group}: median ${formatDays(t.medianDaysToProduction)}, p90 ${formatDays(t.p90DaysToProduction)}, ${t.measured} of ${t.count} models measured`,
                  }))}
              />
            </Section>
            <Section title="Open findings by rule">
              <BarChart label="Open findings by rule" bars={counts((data.findings?.nodes ?? []).map((f) => f.rule))} />
            </Section>
            <Section title="Open findings by team">
              <BarChart label="Open findings by team" bars={counts((data.findings?.nodes ?? []).flatMap((f) => teamsOf(f.model))).slice(0, 15)} />
            </Section>
          </div>
          <Trends />
        </>
      ) : null}
    </div>
  );
}
