/**
 * The audit part of a collector's custom status: per scope whether it is collecting or refused
 * (with the server's reason and the next try), how far it has read, the late sweep in progress,
 * what late sweeps had to skip; and the unknown event types seen. Bounded: two scopes and at most
 * 20 types, far under the 16 KB custom-status limit.
 */
import { AUDIT_SCOPES, type AuditScope } from "../src/audit/eventTypes";
import type { AuditState, LegacyAuditCursor, ScopeCursor, UnknownEventType } from "./auditState";

/** One scope as operators see it. */
export interface ScopeStatus {
  /** `collecting`, or `unavailable` while OpenAI refuses the scope (tenant_only). */
  readonly state: "collecting" | "unavailable";
  /** Everything before this was read (ISO-8601). */
  readonly watermark: string;
  readonly slicesInFlight: number;
  /** The late sweep in progress: the effective_at range it re-reads. */
  readonly lateSweep: { readonly from: string; readonly to: string } | null;
  /** When the last completed late sweep started; late arrivals up to AUDIT_OVERLAP_SECONDS before it are collected. */
  readonly lastLateSweepAt: string | null;
  /** Late-window ranges not re-read (only after an outage longer than the cap); null when none. */
  readonly lateSkipped: { readonly seconds: number; readonly times: number; readonly lastFrom: string; readonly lastTo: string } | null;
  /** While unavailable: the HTTP status and the server's reason, since when, and the next try. */
  readonly unavailable?: { readonly status: number; readonly reason: string; readonly since: string; readonly retryAt: string };
}

/** The audit status block. */
export interface AuditStatus {
  readonly scopes: Readonly<Record<AuditScope, ScopeStatus>>;
  /** Event types the spec does not name yet, with counts and when first seen (at most 20). */
  readonly unknownEventTypes: readonly UnknownEventType[];
  /** Events of further unknown types beyond the 20 listed. */
  readonly otherUnknownEvents: number;
}

const iso = (s: number) => new Date(s * 1000).toISOString();

function scopeStatus(c: ScopeCursor): ScopeStatus {
  return {
    state: c.refused ? "unavailable" : "collecting",
    watermark: iso(c.watermark),
    slicesInFlight: c.inFlight.length,
    lateSweep: c.sweep ? { from: iso(c.sweep.from), to: iso(c.sweep.end) } : null,
    lastLateSweepAt: c.lateSweptAt === null ? null : iso(c.lateSweptAt),
    lateSkipped: c.lateSkipped ? { seconds: c.lateSkipped.seconds, times: c.lateSkipped.times, lastFrom: iso(c.lateSkipped.lastFrom), lastTo: iso(c.lateSkipped.lastTo) } : null,
    ...(c.refused ? { unavailable: { status: c.refused.status, reason: c.refused.reason, since: iso(c.refused.since), retryAt: iso(c.refused.retryAt) } } : {}),
  };
}

/** The audit status of a collector. */
export function auditStatus(audit: AuditState): AuditStatus {
  return {
    scopes: Object.fromEntries(AUDIT_SCOPES.map((s) => [s, scopeStatus(audit.scopes[s])])) as Record<AuditScope, ScopeStatus>,
    unknownEventTypes: audit.unknownTypes,
    otherUnknownEvents: audit.otherUnknownEvents,
  };
}

/**
 * The cursor summary of an audit collector (the organization scope's, as before scopes existed;
 * a first release's cursor not converted yet is that scope's).
 */
export function auditCursorSummary(audit: AuditState | LegacyAuditCursor): Record<string, unknown> {
  const o = "scopes" in audit ? audit.scopes.organization : audit;
  return { watermark: iso(o.watermark), frontier: iso(o.frontier), slicesInFlight: o.inFlight.length, sliceSeconds: o.sliceSeconds };
}
