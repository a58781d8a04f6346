/**
 * Moves audit log pages of one time window and scope into Sentinel: fetch a page, map, upload,
 * record the delivered ids in the ledger, and only then advance `after`. The window is drained
 * whatever the server's sort order; ids are deduplicated within the call and, for a late-sweep
 * slice, against the ledger (events delivered earlier). A refusal of the tenant scope
 * (400/403/404 on `tenant_only=true`) is reported as `refused`, not as a failure of the collector.
 *
 * Delivery goes through {@link PageDelivery} as for chat: after each accepted page that another
 * follows, the loop state is recorded in the `deliveryProgress` entity (after the page's ids are in
 * the ledger), so a call run again with the same input resumes there; a partly accepted page
 * names its accepted rows (`skip`, and the ledger for a late-sweep slice) so the next try skips them.
 */
import type { ProgressLog } from "../src/delivery/progressLog";
import { nextAuditCursor, CursorGuard } from "../src/openai/paging";
import type { AuditLogEvent } from "../src/openai/types";
import { AUDIT_LOGS_STREAM } from "../src/config";
import { isKnownEventType, type AuditScope } from "../src/audit/eventTypes";
import { isLedgerError } from "../src/ledger/deliveredLedger";
import { isOpenAIError } from "../src/openai/failures";
import { toAuditLogRow } from "../src/rows/auditLogRow";
import { countInto } from "../src/json/ownFields";
import { withApiKey } from "./apiKey";
import type { CollectDeps, CollectorRef } from "./deps";
import { idDigest } from "./idDigest";
import { outcomeOf, type Outcome } from "./outcome";
import { acceptedRowsOf, PageDelivery } from "./pageDelivery";
import { prefetch } from "./prefetch";

/** Distinct unknown event types one call reports at most. */
export const MAX_UNKNOWN_TYPES_PER_CALL = 20;

/** Input of one audit-slice activity. Small and key-free: it is stored in orchestration history. */
export interface AuditSliceInput extends CollectorRef {
  /** `tenant` lists with `tenant_only=true`; absent: organization. */
  readonly scope?: AuditScope;
  /** Window start, Unix seconds, inclusive. */
  readonly gte: number;
  /** Window end, Unix seconds, exclusive. */
  readonly lt: number;
  /** Continue after this id; null starts the window from its first page. */
  readonly after: string | null;
  /** Pages to move in this call at most. */
  readonly maxPages: number;
  /** A late-sweep slice: skip the events the ledger holds for this window. */
  readonly late?: boolean;
  /** Record delivered events at or after this Unix second in the ledger; absent: record none. */
  readonly recordSince?: number;
  /** First forget the ledger rows of buckets ending before this Unix second. */
  readonly pruneBefore?: number;
  /** Digests ({@link idDigest}) of rows of the page at `after` already accepted (a partly accepted upload): skipped. */
  readonly skip?: readonly string[];
}

/**
 * Input of the activity that runs several slices in one call (an idle poll's late sweeps of both
 * scopes, orchestrators/auditGeneration.ts `idleSweeps`): each slice as its own call would get it,
 * delivery ref included. The result is one {@link AuditSliceResult} per slice, in order.
 */
export interface AuditSlicesInput {
  readonly slices: readonly AuditSliceInput[];
}

/** Result of one audit-slice activity: counts and a cursor, never records. */
export interface AuditSliceResult {
  readonly outcome: Outcome;
  /** True when the window is fully drained. */
  readonly done: boolean;
  /** Where the next call continues (meaningful when not done). */
  readonly after: string | null;
  /**
   * Digests ({@link idDigest}) of the rows of the page at `after` that were accepted before an
   * upload failed (a partly accepted upload): pass them as `skip` when continuing. Absent when none.
   */
  readonly skip?: string[];
  readonly pages: number;
  readonly rowsWritten: number;
  /** Listed again but already delivered (skipped). */
  readonly duplicates: number;
  /** Newest effective_at delivered, Unix seconds. */
  readonly newestEventAt: number | null;
  /** Event types delivered that the spec's `AuditLogEventType` does not name: type → count (at most {@link MAX_UNKNOWN_TYPES_PER_CALL}). */
  readonly unknownTypes: Record<string, number>;
  /** The scope was refused (tenant_only): the HTTP status and the server's message. */
  readonly refused: { readonly status: number; readonly message: string } | null;
}

/** A refusal of `tenant_only`: 400/403/404 that is not about the `after` cursor (spec: tenant_only). */
function refusalOf(error: unknown): { status: number; message: string } | null {
  if (!isOpenAIError(error)) return null;
  const f = error.failure;
  const status = f.status;
  if (status === undefined || ![400, 403, 404].includes(status) || f.kind === "cursorInvalid") return null;
  return { status, message: f.message };
}

/** What one call has delivered so far: its result without the outcome. Recorded after each page another follows (see pageDelivery.ts). */
type AuditProgress = Omit<AuditSliceResult, "outcome">;

/** The progress after `events` were accepted (`listedAgain` more were skipped as delivered). */
function delivered(p: AuditProgress, events: readonly AuditLogEvent[], listedAgain: number): AuditProgress {
  let newestEventAt = p.newestEventAt;
  const unknownTypes = { ...p.unknownTypes };
  for (const event of events) {
    if (typeof event.effective_at === "number") newestEventAt = Math.max(newestEventAt ?? event.effective_at, event.effective_at);
    if (!isKnownEventType(event.type) && (Object.hasOwn(unknownTypes, event.type) || Object.keys(unknownTypes).length < MAX_UNKNOWN_TYPES_PER_CALL)) countInto(unknownTypes, event.type);
  }
  return { ...p, rowsWritten: p.rowsWritten + events.length, duplicates: p.duplicates + listedAgain, newestEventAt, unknownTypes };
}

/** Creates the audit-slice activity handler over its dependencies; `progress` makes it crash-safe. */
export function collectAuditSlice(deps: CollectDeps, progress?: ProgressLog) {
  return async (input: AuditSliceInput): Promise<AuditSliceResult> => {
    const scope = input.scope ?? "organization";
    const key = { collectorId: input.collectorId, scope };
    const fetchPage = (cursor: string | null) => withApiKey(deps.secrets, input.apiKeySecretName, (apiKey) =>
      deps.openai.listAuditLogs(apiKey, { gte: input.gte, lt: input.lt, after: cursor ?? undefined, ...(scope === "tenant" ? { tenantOnly: true } : {}) }));
    // The first page is requested while the recorded progress is read; a resumed call lists from where it got to instead.
    let pending = prefetch(() => fetchPage(input.after));
    // The ledger is read (and pruned) once a page has events: an idle poll, whose page is empty, costs no Table request.
    // A sweep whose first slice (the one that prunes) is empty leaves the forgetting to the next sweep whose first slice
    // has events: rows stay longer than needed, never too short. The read then runs before the page uploads, not beside its fetch.
    const readLedger = async () => {
      // A sweep's first slice forgets what no later sweep re-reads; with the read of its window that is one listing.
      if (input.pruneBefore !== undefined && input.late) return (await deps.ledger.pruneAndRead(key, input.pruneBefore, input.gte, input.lt)).delivered;
      if (input.pruneBefore !== undefined) await deps.ledger.prune(key, input.pruneBefore);
      return input.late ? await deps.ledger.delivered(key, input.gte, input.lt) : new Set<string>();
    };
    const delivery = await PageDelivery.open<AuditProgress>(progress, input);
    let p: AuditProgress = delivery.resumed ?? { done: false, after: input.after, pages: 0, rowsWritten: 0, duplicates: 0, newestEventAt: null, unknownTypes: {}, refused: null };
    const guard = new CursorGuard(p.after);
    const result = (outcome: Outcome, refused: AuditSliceResult["refused"] = null): AuditSliceResult => ({ ...p, outcome, refused });
    // Delivered ids go to the ledger (for later sweeps) before the cursor may move.
    const remember = async (events: readonly AuditLogEvent[]) => {
      const since = input.recordSince;
      if (since !== undefined) await deps.ledger.record(key, events.filter((e) => e.effective_at >= since).map((e) => ({ effectiveAt: e.effective_at, digest: idDigest(e.id) })));
    };
    try {
      if (p.done) return result({ kind: "ok" });
      if (delivery.resumed) pending = prefetch(() => fetchPage(p.after));
      // Skipped: what the ledger holds (a late sweep), the accepted rows of a partly accepted page (input, or the resumed run's), and every row of this call.
      let skip: Set<string> | undefined;
      while (p.pages < input.maxPages) {
        const page = await pending;
        if (skip === undefined && page.data.length > 0) skip = new Set([...(await readLedger()), ...(input.skip ?? []), ...(p.skip ?? [])]);
        const seen = skip ?? new Set<string>();
        const collectedAt = new Date(deps.now()).toISOString();
        let listedAgain = 0;
        const fresh = page.data.filter((event) => {
          const digest = idDigest(event.id);
          if (seen.has(digest)) return (listedAgain++, false);
          seen.add(digest);
          return true;
        });
        // The next page is requested while this one uploads; the cursor still moves only after the upload.
        const next = nextAuditCursor(page);
        if (next !== null) guard.follow(next);
        if (next !== null && p.pages + 1 < input.maxPages) pending = prefetch(() => fetchPage(next));
        try {
          await delivery.upload(deps.writer, AUDIT_LOGS_STREAM, fresh.map((e) => toAuditLogRow(e, { ...input, collectedAt, scope })));
        } catch (error) {
          // A partly accepted page: the result counts the accepted rows and names them to skip when the page is read again.
          const accepted = fresh.slice(0, acceptedRowsOf(error));
          if (accepted.length > 0) {
            p = { ...delivered(p, accepted, listedAgain), skip: [...(p.skip ?? []), ...accepted.map((e) => idDigest(e.id))] };
            await remember(accepted).catch(() => undefined);
          }
          throw error;
        }
        try {
          await remember(fresh);
        } catch (error) {
          // Accepted but not in the ledger: the next try of this slice still skips these rows (a later sweep may send them again).
          p = { ...delivered(p, fresh, listedAgain), skip: [...(p.skip ?? []), ...fresh.map((e) => idDigest(e.id))] };
          throw error;
        }
        const { skip: _partlyDelivered, ...rest } = p;
        p = { ...delivered(rest, fresh, listedAgain), pages: p.pages + 1, done: next === null, after: next ?? p.after };
        if (p.done) break;
        if (p.pages < input.maxPages) delivery.record(p);
      }
      return result({ kind: "ok" });
    } catch (error) {
      const refused = scope === "tenant" ? refusalOf(error) : null;
      if (refused) return result({ kind: "ok" }, refused);
      if (isLedgerError(error)) return result({ kind: "failed", retriable: true, message: error.message });
      return result(outcomeOf(error));
    } finally {
      await delivery.close();
    }
  };
}
