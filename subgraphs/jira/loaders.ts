import DataLoader from 'dataloader';
import type { TicketConnector, Ticket } from '../../connectors/jira';

/** A person's tickets per site are capped here; `first` narrows it further. */
export const TICKETS_PER_PERSON_SEARCH = 500;

/** Per-request loaders for one Jira site: tickets of many models, or people, in a few batched searches. */
export class JiraLoaders {
  readonly ticketsByModel: DataLoader<string, Ticket[]>;
  readonly ticketsByUser: DataLoader<string, Ticket[]>;

  constructor(readonly connector: TicketConnector) {
    // As in the mlflow subgraph: let every wave of the same I/O turn join one batch.
    const options = { batchScheduleFn: (dispatch: () => void) => setImmediate(dispatch) };
    this.ticketsByModel = new DataLoader(async (keys) => {
      const found = await connector.ticketsForModels(keys);
      return keys.map((k) => found.get(k) ?? []);
    }, options);
    this.ticketsByUser = new DataLoader(async (ids) => {
      const found = await connector.ticketsOfUsers(ids, { maxResults: TICKETS_PER_PERSON_SEARCH });
      return ids.map((id) => found.get(id) ?? []);
    }, options);
  }
}
