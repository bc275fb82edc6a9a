import { ConfigError } from '../../config/load';
import { ModelgraphError, SourceError, SourceErrorCode } from '../../connectors/core/errors';
import { JqlScopeError } from '../../connectors/jira/scope';
import { HistoryUnavailableError } from '../../subgraphs/inventory/history/open-store';
import { TicketLockBusyError } from '../../subgraphs/inventory/tickets/ticket-lock';

describe('ModelgraphError', () => {
  it('is the base of the errors a user reads, each with its code', () => {
    const errors: Array<[ModelgraphError, string]> = [
      [new SourceError({ source: 'mlflow:prod', code: SourceErrorCode.SOURCE_TIMEOUT, message: 'slow' }), 'SOURCE_TIMEOUT'],
      [new ConfigError('modelgraph.yaml: sources: bad'), 'CONFIG_INVALID'],
      [new HistoryUnavailableError('history: off'), 'HISTORY_UNAVAILABLE'],
      [new TicketLockBusyError('tickets RISK', 5_000), 'TICKET_RUN_IN_PROGRESS'],
      [new JqlScopeError('unbalanced'), 'JQL_OUT_OF_SCOPE'],
    ];
    for (const [err, code] of errors) {
      expect(err).toBeInstanceOf(ModelgraphError);
      expect(err).toBeInstanceOf(Error);
      expect(err.code).toBe(code);
    }
  });

  it('keeps each class its own name, which logs show', () => {
    expect(new ConfigError('x').name).toBe('ConfigError');
    expect(new SourceError({ source: 'jira:corp', code: SourceErrorCode.SOURCE_NOT_FOUND, message: 'x' }).name).toBe('SourceError');
    expect(new ModelgraphError('COMPOSITION_FAILED', 'x').name).toBe('ModelgraphError');
  });
});
