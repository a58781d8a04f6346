/**
 * What one generation tells the health table, as a pure function of the state before and after
 * it, and whether it needs a row at all ({@link healthRowDue}): a row is written when anything it
 * shows changes and otherwise once per {@link HEALTH_HEARTBEAT_SECONDS}, so an idle collector
 * writes about 48 rows a day instead of one per poll. The orchestrator hands the report to the
 * health activity; it never writes rows itself.
 */
import type { Outcome } from "../activities/outcome";
import { deliveryDigest } from "../src/delivery/progress";
import { scopedAudit, type AuditState } from "./auditState";
import type { CollectorRunState } from "./generation";
import { isoFromMs, lagSeconds } from "./isoTime";
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
  /** Rows accepted since the collector's previous row (the generations that wrote none, and this one). */
  readonly rowsWritten: number;
  /** Pages moved since the previous row. */
  readonly pages: number;
  /** Items read again but not written again since the previous row. */
  readonly duplicatesSkipped: number;
  /** Rows accepted since creation or the last reset. */
  readonly rowsIngestedTotal: number;
  /** Pages moved since creation or the last reset (not a column: the next row counts from it). */
  readonly pagesTotal: number;
  /** Duplicates skipped since creation or the last reset (not a column: the next row counts from it). */
  readonly duplicatesSkippedTotal: number;
  /** Seconds from `at` back to the newest event collected; null before the first event. */
  readonly lagSeconds: number | null;
  /** Activities of this generation that ended `throttled`. */
  readonly throttledResponses: number;
  readonly consecutiveFailures: number;
  readonly lastError: LastError | null;
  readonly lastSuccessAt: string | null;
  /** When the next generation starts; null when it starts at once or waits for a wake. */
  readonly nextRunAt: string | null;
  /**
   * The latest time the collector promises its next health row (ISO-8601): the later of
   * `nextRunAt` and `at` + {@link HEALTH_HEARTBEAT_SECONDS}; null when no generation follows on its
   * own (stopped, deleted). The collector-health rule counts silence from here.
   */
  readonly nextReportAt: string | null;
  readonly definitionVersion: number;
}

/** An unchanged collector writes a health row at least this often (seconds): the heartbeat. */
export const HEALTH_HEARTBEAT_SECONDS = 1_800;

/**
 * The lags (seconds) the collector-health rule alerts at (content/AnalyticRules/
 * OpenAICollectorUnhealthy.yaml `LagThresholdSeconds`): a lag crossing one is a change that gets
 * its row at once, so the rule sees it without waiting for the heartbeat.
 */
export const LAG_ALERT_SECONDS: readonly number[] = [3_600, 172_800];

/** The last health row a collector wrote, carried in its state (orchestrators/state.ts). */
export interface HealthMark {
  /** The row's time (`HealthReport.at`), ms since the epoch. */
  readonly at: number;
  /** {@link healthKey} of the row (16 hex digits). */
  readonly key: string;
  /** The collector's totals when the row was written: the next row counts from them. */
  readonly rows: number;
  readonly pages: number;
  readonly duplicates: number;
}

/**
 * A digest (src/delivery/progress.ts `deliveryDigest`, 16 hex digits: it is carried in every
 * continueAsNew input) of what of a report, when it changes, needs a new row: state, scope, name,
 * definition version, failures and last error, the total rows, and which
 * {@link LAG_ALERT_SECONDS} the lag has passed. Left out are the values that move every poll
 * without news: `at`, `lastSuccessAt`, `nextRunAt`, the exact lag, pages and duplicates (an idle
 * late sweep reads an empty page and re-reads the overlap window each poll).
 */
export function healthKey(report: HealthReport): string {
  const lagBand = report.lagSeconds === null ? -1 : LAG_ALERT_SECONDS.filter((s) => report.lagSeconds! > s).length;
  return deliveryDigest([report.state, report.scope, report.connectorName, report.definitionVersion, report.consecutiveFailures,
    report.lastError, report.rowsIngestedTotal, lagBand]);
}

/**
 * True when `report` needs a health row given the last one written (`mark`; undefined when none
 * is known): always for a deletion, rows written or a throttled activity; when {@link healthKey}
 * differs (a stop included: its state differs from the last row's, so a stop call on a collector
 * already stopped, with nothing changed, writes none); and, while running, once the heartbeat is
 * due at `report.at` (a stopped collector announces none: its `NextReportAt` is empty).
 */
export function healthRowDue(report: HealthReport, mark: HealthMark | undefined): boolean {
  if (report.state === "deleted") return true;
  if (report.state === "stopped") return mark === undefined || mark.key !== healthKey(report);
  if (report.rowsWritten > 0 || report.throttledResponses > 0) return true;
  if (mark === undefined || mark.key !== healthKey(report)) return true;
  return Date.parse(report.at) - mark.at >= HEALTH_HEARTBEAT_SECONDS * 1000;
}

/** The mark of `report` once its row is written. */
export function healthMarkOf(report: HealthReport): HealthMark {
  return { at: Date.parse(report.at), key: healthKey(report), rows: report.rowsIngestedTotal, pages: report.pagesTotal, duplicates: report.duplicatesSkippedTotal };
}

/**
 * The state whose counts the next row starts from: `state` with the totals of its last row
 * (`state.health`), so rows, pages and duplicates of the generations that wrote no row are in
 * the next one and sums over the rows stay whole; `state` itself when no row is known.
 */
export function sinceLastRow(state: CollectorState): CollectorState {
  const mark = state.health;
  if (mark === undefined) return state;
  return { ...state, stats: { ...state.stats, rowsIngested: mark.rows, pages: mark.pages, duplicatesSkipped: mark.duplicates } };
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
  return scopedAudit(audit)?.scopes.tenant.refused ? "organization" : "organization, tenant";
}

/**
 * The report of the generation that turned `before` into `after`. Counts are the differences of
 * the cumulative stats, so they need nothing beyond the state the orchestrator already carries
 * (the orchestrator passes {@link sinceLastRow} of `before`: counts since the previous row).
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
    at: isoFromMs(nowMs) ?? "",
    rowsWritten: stats.rowsIngested - before.stats.rowsIngested,
    pages: stats.pages - before.stats.pages,
    duplicatesSkipped: stats.duplicatesSkipped - before.stats.duplicatesSkipped,
    rowsIngestedTotal: stats.rowsIngested,
    pagesTotal: stats.pages,
    duplicatesSkippedTotal: stats.duplicatesSkipped,
    lagSeconds: lagSeconds(nowMs, stats.newestEventAt),
    throttledResponses: outcomes.filter((o) => o.kind === "throttled").length,
    consecutiveFailures: stats.failures,
    lastError: stats.lastError,
    lastSuccessAt: stats.lastSuccessAt,
    nextRunAt: isoFromMs(nextRunAtMs),
    nextReportAt: runState === "stopped" ? null : isoFromMs(Math.max(nextRunAtMs ?? nowMs, nowMs + HEALTH_HEARTBEAT_SECONDS * 1000)),
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
    at: isoFromMs(nowMs) ?? "",
    rowsWritten: 0,
    pages: 0,
    duplicatesSkipped: 0,
    rowsIngestedTotal: stats?.rowsIngested ?? 0,
    pagesTotal: stats?.pages ?? 0,
    duplicatesSkippedTotal: stats?.duplicatesSkipped ?? 0,
    lagSeconds: lagSeconds(nowMs, stats?.newestEventAt),
    throttledResponses: 0,
    consecutiveFailures: stats?.failures ?? 0,
    lastError: stats?.lastError ?? null,
    lastSuccessAt: stats?.lastSuccessAt ?? null,
    nextRunAt: null,
    nextReportAt: null,
    definitionVersion: definition.version,
  };
}
