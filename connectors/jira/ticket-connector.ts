import type { Connector } from '../core/connector';
import type { Ticket } from './map';
import type { IssueDraft, TextBlock } from './requests';

/**
 * What the jira subgraph and the inventory read of an issue tracker: they depend on this,
 * as the git subgraph does on GitHostConnector and the registries subgraph on
 * RegistryConnector, never on JiraConnector itself.
 */
export interface TicketConnector extends Connector {
  readonly kind: 'JIRA';
  /**
   * Every ticket a JQL search finds (all pages), within the instance's projects; JQL that
   * cannot be combined with that scope safely is refused (JqlRefusedError) before any request.
   */
  searchTickets(jql: string, opts?: TicketSearchOptions): Promise<Ticket[]>;
  /** One issue by key or id; null when it does not exist, is not visible or is out of scope. */
  getTicket(key: string): Promise<Ticket | null>;
  /** The tickets linked to each model key (the instance's `modelLink`); every key is in the map. */
  ticketsForModels(modelKeys: readonly string[]): Promise<Map<string, Ticket[]>>;
  /** The tickets each user is assignee or reporter of; every user id is in the map. */
  ticketsOfUsers(userIds: readonly string[], options?: { maxResults?: number }): Promise<Map<string, Ticket[]>>;
}

/** What opening tickets for findings needs besides reading: the search uncached, and writes. */
export interface TicketWriteConnector extends TicketConnector {
  /** {@link searchTickets} past the cache: what was just written must be seen. */
  searchTicketsUncached(jql: string): Promise<Ticket[]>;
  createIssue(draft: IssueDraft): Promise<Ticket>;
  addComment(issueKey: string, body: readonly TextBlock[]): Promise<void>;
  addLabels(issueKey: string, labels: readonly string[]): Promise<void>;
  /** False when the issue's workflow offers no transition of that name now. */
  transitionIssue(issueKey: string, transitionName: string): Promise<boolean>;
}

export interface TicketSearchOptions {
  /**
   * At most this many tickets, in the search's order: paging stops once they are found.
   * Not Jira's page size (the connector pages by itself). Default: all.
   */
  maxResults?: number;
}
