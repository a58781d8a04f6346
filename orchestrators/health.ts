/**
 * What one generation tells the health table, as a pure function of the state before and after
 * it. The orchestrator hands the result to the health activity; it never writes rows itself.
 */
import type { Outcome } from "../activities/outcome";
import type { CollectorRunState } from "./generation";
import { isoFromMs, lagSeconds } from "./isoTime";
import type { CollectorControlView, CollectorDefinition, CollectorState, LastError } from "./state";

/**
 * Input of the health activity: one generation's counts and state. Small, key-free (messages are
 * already redacted where the activities produced them).
 */
export interface HealthReport {
  readonly collectorId: string;
  /** The collector's friendly name. */
  readonly connectorName: string;
  readonly dataType: CollectorDefinition["dataType"];
  /** `organization` or `tenant` for audit logs, null for chat completions. */
  readonly scope: string | null;
  readonly state: CollectorRunState;
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
 * The scope a definition collects: for audit logs `organization` unless it names another; for
 * compliance logs `workspace`, `organization` or both; null for chat.
 */
export function scopeOf(definition: CollectorDefinition): string | null {
  if (definition.dataType === "complianceLogs") return [definition.compliance?.workspaceId ? "workspace" : null, definition.compliance?.organizationId ? "organization" : null].filter(Boolean).join(", ") || null;
  if (definition.dataType !== "auditLogs") return null;
  const scope = (definition as CollectorDefinition & { readonly scope?: unknown }).scope;
  return typeof scope === "string" && scope !== "" ? scope : "organization";
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
    scope: scopeOf(definition),
    state: runState,
    at: isoFromMs(nowMs) ?? "",
    rowsWritten: stats.rowsIngested - before.stats.rowsIngested,
    pages: stats.pages - before.stats.pages,
    duplicatesSkipped: stats.duplicatesSkipped - before.stats.duplicatesSkipped,
    rowsIngestedTotal: stats.rowsIngested,
    lagSeconds: lagSeconds(nowMs, stats.newestEventAt),
    throttledResponses: outcomes.filter((o) => o.kind === "throttled").length,
    consecutiveFailures: stats.failures,
    lastError: stats.lastError,
    lastSuccessAt: stats.lastSuccessAt,
    nextRunAt: isoFromMs(nextRunAtMs),
    definitionVersion: definition.version,
  };
}
