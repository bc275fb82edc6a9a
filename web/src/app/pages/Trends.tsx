import { Section } from '../components';

/**
 * TRENDS HOOK: findings and time to production over time. The graph has no history yet;
 * once the schema has `Query.findingTrends` / `productionTrends` (being added beside this
 * app), add their query in web/src/graphql/trends.graphql and chart it here with BarChart.
 */
export function Trends() {
  return (
    <Section title="Trends" id="trends">
      <p className="muted" data-testid="trends-pending">
        Trends over time appear here once the gateway keeps history (Query.findingTrends, Query.productionTrends).
      </p>
    </Section>
  );
}
