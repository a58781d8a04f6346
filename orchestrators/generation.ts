/**
 * What happens between two generations, as pure functions: fold activity outcomes into the
 * counters, decide how long to wait (poll interval, a throttle's delay, exponential backoff, or
 * slow retries while unauthorized) and build the custom status shown to operators.
 */
import type { Outcome } from "../activities/outcome";
import { toChatCursor } from "../src/cursors/chatCursor";
import { isoFromMs, isoFromSeconds, lagSeconds } from "./isoTime";
import { chatCursorSummary } from "./planChat";
import { complianceCursorSummary } from "./planCompliance";
import type { CollectorControl, CollectorControlView, CollectorState, CollectorStats, RuntimeSettings } from "./state";
import { scopedAudit } from "./auditState";
import { auditCursorSummary, auditStatus, type AuditStatus } from "./auditStatus";
import { usageCursorSummary } from "./planUsage";

/** Retry interval while the key or role is wrong. */
export const UNAUTHORIZED_RETRY_SECONDS = 300;
/** Backoff after failures: 30 s doubling up to 15 min. */
export const BACKOFF_BASE_SECONDS = 30;
export const BACKOFF_MAX_SECONDS = 900;
/** Longest message kept in status. */
const MAX_MESSAGE_CHARS = 1_000;

/** Operator-facing state names. */
export type CollectorRunState = "running" | "backingOff" | "unauthorized" | "stopped";

/** How a generation ends. */
export interface WaitDecision {
  readonly seconds: number;
  readonly state: CollectorRunState;
}

/** One activity's counts, as the fold needs them. */
export interface ActivityReport {
  readonly outcome: Outcome;
  readonly rowsWritten: number;
  readonly pages: number;
  readonly duplicates: number;
  readonly newestEventAt: number | null;
}

/** Counters after a generation's reports. */
export function foldStats(stats: CollectorStats, reports: readonly ActivityReport[], nowIso: string): CollectorStats {
  const failed = reports.find((r) => r.outcome.kind !== "ok");
  const anyOk = reports.some((r) => r.outcome.kind === "ok");
  const newest = reports.reduce<number | null>((n, r) => (r.newestEventAt === null ? n : Math.max(n ?? r.newestEventAt, r.newestEventAt)), stats.newestEventAt);
  return {
    rowsIngested: stats.rowsIngested + reports.reduce((n, r) => n + r.rowsWritten, 0),
    pages: stats.pages + reports.reduce((n, r) => n + r.pages, 0),
    duplicatesSkipped: stats.duplicatesSkipped + reports.reduce((n, r) => n + r.duplicates, 0),
    lastSuccessAt: anyOk ? nowIso : stats.lastSuccessAt,
    newestEventAt: newest,
    lastError: failed && failed.outcome.kind !== "ok"
      ? { at: nowIso, kind: failed.outcome.kind, message: failed.outcome.message.slice(0, MAX_MESSAGE_CHARS) }
      : stats.lastError,
    failures: failed ? stats.failures + 1 : 0,
  };
}

/** How long to wait before the next generation, and what to call that wait. */
export function decideWait(outcomes: readonly Outcome[], caughtUp: boolean, failures: number, pollIntervalSeconds: number): WaitDecision {
  if (outcomes.some((o) => o.kind === "unauthorized")) return { seconds: UNAUTHORIZED_RETRY_SECONDS, state: "unauthorized" };
  const throttles = outcomes.flatMap((o) => (o.kind === "throttled" ? [o.retryAfterMs] : []));
  if (throttles.length > 0) return { seconds: Math.max(1, Math.ceil(Math.max(...throttles) / 1000)), state: "backingOff" };
  if (outcomes.some((o) => o.kind === "failed" || o.kind === "cursorInvalid")) {
    return { seconds: Math.min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** Math.max(0, failures - 1)), state: "backingOff" };
  }
  return { seconds: caughtUp ? pollIntervalSeconds : 0, state: "running" };
}

/** The custom status (kept far under the 16 KB limit). */
export interface CollectorStatus {
  readonly state: CollectorRunState;
  /** The definition's version; null when the definition could not be read (orchestrators/controlRead.ts). */
  readonly definitionVersion: number | null;
  readonly rowsIngested: number;
  readonly pages: number;
  readonly duplicatesSkipped: number;
  /** Seconds between the status's time and the newest event collected; null before the first event. */
  readonly lagSeconds: number | null;
  /**
   * Time of the newest event collected (ISO-8601), null before the first; the API computes the live
   * lag from it (now − this), so the lag of a stopped or backing-off collector keeps growing.
   * Absent in statuses written before it existed.
   */
  readonly newestEventAt?: string | null;
  readonly lastSuccessAt: string | null;
  readonly lastError: CollectorStats["lastError"];
  readonly nextRunAt: string | null;
  readonly cursor: Record<string, unknown>;
  /** Audit collectors: both scopes and the unknown event types seen. */
  readonly audit?: AuditStatus;
}

/** A short, secret-free summary of the cursor. */
export function cursorSummary(state: CollectorState, settings?: RuntimeSettings): Record<string, unknown> {
  const iso = isoFromSeconds;
  if (state.audit) return auditCursorSummary(state.audit);
  if (state.compliance) return complianceCursorSummary(state.compliance);
  if (state.usage) return usageCursorSummary(state.usage);
  if (state.chat) return chatCursorSummary(toChatCursor(state.chat, state.startTime, state.startTime), settings);
  return { startTime: iso(state.startTime) };
}

/** Builds the custom status. */
export function buildStatus(state: CollectorState, control: CollectorControl, runState: CollectorRunState, nowMs: number, nextRunAtMs: number | null): CollectorStatus {
  return statusOf(state, control.definition.version, (control as Partial<CollectorControlView>).settings, runState, nowMs, nextRunAtMs);
}

/** The custom status of `state` for a definition of `definitionVersion` (null: unknown) at `nowMs`. */
export function statusOf(state: CollectorState, definitionVersion: number | null, settings: RuntimeSettings | undefined, runState: CollectorRunState, nowMs: number, nextRunAtMs: number | null): CollectorStatus {
  const newest = state.stats.newestEventAt;
  // A first release's cursor (not converted yet, as after a failed entity read) shows its summary only.
  const audit = scopedAudit(state.audit);
  return {
    state: runState,
    definitionVersion,
    rowsIngested: state.stats.rowsIngested,
    pages: state.stats.pages,
    duplicatesSkipped: state.stats.duplicatesSkipped,
    lagSeconds: lagSeconds(nowMs, newest),
    newestEventAt: isoFromSeconds(newest),
    lastSuccessAt: state.stats.lastSuccessAt,
    lastError: state.stats.lastError,
    nextRunAt: isoFromMs(nextRunAtMs),
    cursor: cursorSummary(state, settings),
    ...(audit ? { audit: auditStatus(audit) } : {}),
  };
}

