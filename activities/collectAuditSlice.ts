/**
 * Moves audit log pages of one time window and scope into Sentinel: fetch a page, map, upload,
 * record the delivered ids in the ledger, and only then advance `after`. The window is drained
 * whatever the server's sort order; ids are deduplicated within the call and, for a late-sweep
 * slice, against the ledger (events delivered earlier). A refusal of the tenant scope
 * (400/403/404 on `tenant_only=true`) is reported as `refused`, not as a failure of the collector.
 */
import { nextAuditCursor, CursorGuard } from "../src/openai/paging";
import { AUDIT_LOGS_STREAM } from "../src/config";
import { isKnownEventType, type AuditScope } from "../src/audit/eventTypes";
import { isLedgerError } from "../src/ledger/deliveredLedger";
import { isOpenAIError } from "../src/openai/failures";
import { toAuditLogRow } from "../src/rows/auditLogRow";
import { withApiKey } from "./apiKey";
import type { CollectDeps, CollectorRef } from "./deps";
import { idDigest } from "./idDigest";
import { outcomeOf, type Outcome } from "./outcome";
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
}

/** Result of one audit-slice activity: counts and a cursor, never records. */
export interface AuditSliceResult {
  readonly outcome: Outcome;
  /** True when the window is fully drained. */
  readonly done: boolean;
  /** Where the next call continues (meaningful when not done). */
  readonly after: string | null;
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

/** Creates the audit-slice activity handler over its dependencies. */
export function collectAuditSlice(deps: CollectDeps) {
  return async (input: AuditSliceInput): Promise<AuditSliceResult> => {
    const scope = input.scope ?? "organization";
    const key = { collectorId: input.collectorId, scope };
    const guard = new CursorGuard(input.after);
    let after = input.after;
    let pages = 0, rowsWritten = 0, duplicates = 0;
    let newestEventAt: number | null = null;
    const unknownTypes: Record<string, number> = {};
    const result = (outcome: Outcome, done: boolean, refused: AuditSliceResult["refused"] = null): AuditSliceResult =>
      ({ outcome, done, after, pages, rowsWritten, duplicates, newestEventAt, unknownTypes, refused });

    const fetchPage = (cursor: string | null) => withApiKey(deps.secrets, input.apiKeySecretName, (apiKey) =>
      deps.openai.listAuditLogs(apiKey, { gte: input.gte, lt: input.lt, after: cursor ?? undefined, ...(scope === "tenant" ? { tenantOnly: true } : {}) }));
    try {
      let pending = prefetch(() => fetchPage(after));
      if (input.pruneBefore !== undefined) await deps.ledger.prune(key, input.pruneBefore);
      const skip = input.late ? await deps.ledger.delivered(key, input.gte, input.lt) : new Set<string>();
      while (pages < input.maxPages) {
        const page = await pending;
        const collectedAt = new Date(deps.now()).toISOString();
        const fresh = page.data.filter((event) => {
          const digest = idDigest(event.id);
          if (skip.has(digest)) return (duplicates++, false);
          skip.add(digest);
          return true;
        });
        // The next page is requested while this one uploads; the cursor still moves only after the upload.
        const next = nextAuditCursor(page);
        if (next !== null) guard.follow(next);
        if (next !== null && pages + 1 < input.maxPages) pending = prefetch(() => fetchPage(next));
        await deps.writer.upload(AUDIT_LOGS_STREAM, fresh.map((e) => toAuditLogRow(e, { ...input, collectedAt, scope })));
        // Delivered: remember it for later sweeps, and only then may the cursor move.
        const since = input.recordSince;
        if (since !== undefined) await deps.ledger.record(key, fresh.filter((e) => e.effective_at >= since).map((e) => ({ effectiveAt: e.effective_at, digest: idDigest(e.id) })));
        pages++;
        rowsWritten += fresh.length;
        for (const event of fresh) {
          if (typeof event.effective_at === "number") newestEventAt = Math.max(newestEventAt ?? event.effective_at, event.effective_at);
          if (!isKnownEventType(event.type) && (event.type in unknownTypes || Object.keys(unknownTypes).length < MAX_UNKNOWN_TYPES_PER_CALL)) unknownTypes[event.type] = (unknownTypes[event.type] ?? 0) + 1;
        }
        if (next === null) return result({ kind: "ok" }, true);
        after = next;
      }
      return result({ kind: "ok" }, false);
    } catch (error) {
      const refused = scope === "tenant" ? refusalOf(error) : null;
      if (refused) return result({ kind: "ok" }, false, refused);
      if (isLedgerError(error)) return result({ kind: "failed", retriable: true, message: error.message }, false);
      return result(outcomeOf(error), false);
    }
  };
}
