/**
 * What one generation tells the health table, as a pure function of the state before and after
 * it. The orchestrator hands the result to the health activity; it never writes rows itself.
 */
import type { Outcome } from "../activities/outcome";
import type { AuditState } from "./auditState";
import type { CollectorRunState } from "./generation";
import type { CollectorControlView, CollectorDefinition, CollectorState, CollectorStats, LastError } from "./state";

/**
 * The `State` of a health row: a generation's run state, or `deleted` for the final row the
 * management API writes when a collector is deleted (no generation follows it).
 */
export type HealthState = CollectorRunState | "deleted";

/**
 * Input of the health activity: one generation's counts and state. Small, key-free (messages are
 * already redacted where the activities produced them).
 */
export interface HealthReport {
  readonly collectorId: string;
  /** The collector's friendly name. */
  readonly connectorName: string;
  readonly dataType: CollectorDefinition["dataType"];
  /** What the collector reads: see {@link scopeOf}; null for chat completions. */
  readonly scope: string | null;
  readonly state: HealthState;
  /** When the generation ended, ISO-8601 (orchestration time). */
  readonly at: string;
  /** Rows accepted in this generation. */
  readonly rowsWritten: number;
  /** Pages moved in this generation. */
  readonly pages: number;
  /** Items read again but not written again in this generation. */
  readonly duplicatesSkipped: number;
  /** Rows accepted since creation or the last reset. */
  readonly rowsIngestedTotal: number;
  /** Seconds from `at` back to the newest event collected; null before the first event. */
  readonly lagSeconds: number | null;
  /** Activities of this generation that ended `throttled`. */
  readonly throttledResponses: number;
  readonly consecutiveFailures: number;
  readonly lastError: LastError | null;
  readonly lastSuccessAt: string | null;
  /** When the next generation starts; null when it starts at once or waits for a wake. */
  readonly nextRunAt: string | null;
  readonly definitionVersion: number;
}

/**
 * What a collector reads, as the health row's `Scope` says it. Audit logs: both scopes,
 * `organization, tenant` (organization events, and tenant-scoped ones through `tenant_only=true`),
 * or `organization` while OpenAI refuses the tenant scope (`audit.scopes.tenant.refused`); an
 * audit collector whose audit state does not exist yet reads both. Compliance logs: `workspace`,
 * `organization` or both. Chat completions: null.
 */
export function scopeOf(definition: CollectorDefinition, audit: AuditState | null = null): string | null {
  if (definition.dataType === "complianceLogs") return [definition.compliance?.workspaceId ? "workspace" : null, definition.compliance?.organizationId ? "organization" : null].filter(Boolean).join(", ") || null;
  if (definition.dataType !== "auditLogs") return null;
  return audit?.scopes.tenant.refused ? "organization" : "organization, tenant";
}

/**
 * The report of the generation that turned `before` into `after`. Counts are the differences of
 * the cumulative stats, so they need nothing beyond the state the orchestrator already carries.
 */
export function healthReport(before: CollectorState, after: CollectorState, view: CollectorControlView, runState: CollectorRunState,
  nowMs: number, nextRunAtMs: number | null, outcomes: readonly Outcome[]): HealthReport {
  const { definition } = view;
  const stats = after.stats;
  return {
    collectorId: definition.id,
    connectorName: definition.friendlyName,
    dataType: definition.dataType,
    scope: scopeOf(definition, after.audit),
    state: runState,
    at: new Date(nowMs).toISOString(),
    rowsWritten: stats.rowsIngested - before.stats.rowsIngested,
    pages: stats.pages - before.stats.pages,
    duplicatesSkipped: stats.duplicatesSkipped - before.stats.duplicatesSkipped,
    rowsIngestedTotal: stats.rowsIngested,
    lagSeconds: stats.newestEventAt === null ? null : Math.max(0, Math.floor(nowMs / 1000 - stats.newestEventAt)),
    throttledResponses: outcomes.filter((o) => o.kind === "throttled").length,
    consecutiveFailures: stats.failures,
    lastError: stats.lastError,
    lastSuccessAt: stats.lastSuccessAt,
    nextRunAt: nextRunAtMs === null ? null : new Date(nextRunAtMs).toISOString(),
    definitionVersion: definition.version,
  };
}

/**
 * The final report of a deleted collector, written by the management API once the delete is done
 * (the orchestrator is terminated by then and writes nothing more). State `deleted`, no work in
 * it; the totals, lag and last error come from the last generation's stats when the instance's
 * status still had them (`stats` null: zeros and nulls).
 */
export function deletedHealthReport(definition: CollectorDefinition, stats: CollectorStats | null, audit: AuditState | null, nowMs: number): HealthReport {
  return {
    collectorId: definition.id,
    connectorName: definition.friendlyName,
    dataType: definition.dataType,
    scope: scopeOf(definition, audit),
    state: "deleted",
    at: new Date(nowMs).toISOString(),
    rowsWritten: 0,
    pages: 0,
    duplicatesSkipped: 0,
    rowsIngestedTotal: stats?.rowsIngested ?? 0,
    lagSeconds: stats?.newestEventAt == null ? null : Math.max(0, Math.floor(nowMs / 1000 - stats.newestEventAt)),
    throttledResponses: 0,
    consecutiveFailures: stats?.failures ?? 0,
    lastError: stats?.lastError ?? null,
    lastSuccessAt: stats?.lastSuccessAt ?? null,
    nextRunAt: null,
    definitionVersion: definition.version,
  };
}
