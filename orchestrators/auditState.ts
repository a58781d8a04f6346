/**
 * The audit part of a collector's continueAsNew state: one cursor per scope (organization events,
 * and tenant-scoped events read with `tenant_only=true`), and the unknown event types seen. Only
 * slice bounds and counts: the memory of delivered ids lives in the ledger (src/ledger/), so the
 * size of this state does not depend on the event rate (a few hundred bytes per slice in flight,
 * at most `parallelism` slices per scope, at most {@link MAX_UNKNOWN_TYPES} types).
 */
import type { AuditScope } from "../src/audit/eventTypes";

/** One audit time slice being drained: [gte, lt) (Unix s) continuing after `after`. */
export interface AuditSlice {
  readonly gte: number;
  readonly lt: number;
  readonly after: string | null;
  /** Part of a late sweep: its range may hold delivered events, which are skipped through the ledger. */
  readonly late: boolean;  /** Digests of rows of the page at `after` already accepted (a partly accepted upload); skipped when it is read again. */
  readonly skip?: readonly string[];
}

/** A late sweep in progress: re-reads [from, end) in slices; `next` is where the next slice is cut. */
export interface LateSweep {
  /** When the sweep started (Unix s); the next sweep's window reaches `overlapSeconds` before it. */
  readonly startedAt: number;
  readonly from: number;
  readonly next: number;
  /** The horizon when it started: the sweep also reads the new range up to it. */
  readonly end: number;
}

/** The tenant scope was refused (400/403/404 on `tenant_only=true`): why, and when to try again. */
export interface ScopeRefusal {
  readonly status: number;
  /** The server's message (secret-free). */
  readonly reason: string;
  /** First refusal of this spell, Unix s. */
  readonly since: number;
  /** Not before this (Unix s): refusals are retried at most hourly. */
  readonly retryAt: number;
}

/** Late-window ranges a sweep could not re-read (after an outage longer than the cap). Never silent. */
export interface LateSkipped {
  /** Seconds of effective_at not re-read for late arrivals, in total. */
  readonly seconds: number;
  /** How many times a range was skipped. */
  readonly times: number;
  /** The last skipped range [from, to), Unix s. */
  readonly lastFrom: number;
  readonly lastTo: number;
}

/** One scope's cursor. Everything in [origin, watermark) was read at least once; slices in flight continue. */
export interface ScopeCursor {
  /** The collector's start time: nothing before it is ever read. */
  readonly origin: number;
  /** Everything before this Unix second was read (late arrivals are the late sweeps' part). */
  readonly watermark: number;
  /** End of the furthest slice ever cut. */
  readonly frontier: number;
  /** Slices cut and not yet drained (at most `parallelism`). */
  readonly inFlight: readonly AuditSlice[];
  /** Width of new slices, adapted to event density (seconds). */
  readonly sliceSeconds: number;
  readonly sweep: LateSweep | null;
  /** When the last completed late sweep started (Unix s); null before the first. */
  readonly lateSweptAt: number | null;
  /** Set while the scope is refused; null when it is collecting. */
  readonly refused: ScopeRefusal | null;
  readonly lateSkipped: LateSkipped | null;
  /**
   * Set while every slice of this scope answered in the last generation that had answers listed no
   * event (a tenant without tenant-scoped events, say). Such a scope gets one fan-out slot, its one
   * slice widening as before, until a slice finds events (orchestrators/planAudit.ts `shareSlots`).
   * Absent otherwise, and in states written before it existed (then the scope gets its fair share).
   */
  readonly empty?: true;
}

/** An event type the product does not know (not in the spec's `AuditLogEventType`), as seen. */
export interface UnknownEventType {
  readonly type: string;
  readonly count: number;
  /** ISO-8601 of the generation that first saw it. */
  readonly firstSeen: string;
}

/** Unknown types kept in state and status at most; more are only counted. */
export const MAX_UNKNOWN_TYPES = 20;

/** The audit state of a collector. */
export interface AuditState {
  readonly scopes: Readonly<Record<AuditScope, ScopeCursor>>;
  readonly unknownTypes: readonly UnknownEventType[];
  /** Events of further unknown types once {@link MAX_UNKNOWN_TYPES} are listed (counted, not named). */
  readonly otherUnknownEvents: number;
}

/**
 * The first release's audit cursor (organization scope only, before issue 12 added scopes). A
 * collector carried over from that release holds it in its state until its next generation
 * converts it (orchestrators/auditGeneration.ts `auditStateOf`).
 */
export interface LegacyAuditCursor {
  readonly origin: number;
  readonly watermark: number;
  readonly frontier: number;
  readonly inFlight: ReadonlyArray<{ gte: number; lt: number; after: string | null }>;
  readonly sliceSeconds: number;
  readonly lateSweptAt: number | null;
}

/** `audit` when it holds both scopes; null when there is none or it is a {@link LegacyAuditCursor}. Pure. */
export function scopedAudit(audit: AuditState | LegacyAuditCursor | null | undefined): AuditState | null {
  return audit && "scopes" in audit ? audit : null;
}
