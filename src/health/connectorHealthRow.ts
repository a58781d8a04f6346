/**
 * Health report → `OpenAIConnectorHealth_CL` row. Pure. Column names come from
 * src/schema/openai-connector-health.table.json; absent values are left out (they land as null).
 */
import type { HealthReport } from "../../orchestrators/health";

/** A row of `OpenAIConnectorHealth_CL`; keys are column names. */
export type ConnectorHealthRow = Record<string, string | number>;

/** Longest error message kept (the status keeps the same). */
export const MAX_HEALTH_MESSAGE_CHARS = 1_000;

/** Maps one generation's report to its row. `Id` is `<collector id>:<generation end>`. */
export function toConnectorHealthRow(report: HealthReport): ConnectorHealthRow {
  const row: Record<string, string | number | null> = {
    TimeGenerated: report.at,
    Id: `${report.collectorId}:${report.at}`,
    CollectorId: report.collectorId,
    ConnectorName: report.connectorName,
    DataType: report.dataType,
    Scope: report.scope,
    State: report.state,
    RowsWritten: report.rowsWritten,
    Pages: report.pages,
    DuplicatesSkipped: report.duplicatesSkipped,
    RowsIngestedTotal: report.rowsIngestedTotal,
    LagSeconds: report.lagSeconds,
    ThrottledResponses: report.throttledResponses,
    ConsecutiveFailures: report.consecutiveFailures,
    LastErrorKind: report.lastError?.kind ?? null,
    LastErrorMessage: report.lastError ? report.lastError.message.slice(0, MAX_HEALTH_MESSAGE_CHARS) : null,
    LastErrorAt: report.lastError?.at ?? null,
    LastSuccessAt: report.lastSuccessAt,
    NextRunAt: report.nextRunAt,
    NextReportAt: report.nextReportAt,
    DefinitionVersion: report.definitionVersion,
  };
  return Object.fromEntries(Object.entries(row).filter((entry): entry is [string, string | number] => entry[1] !== null));
}
