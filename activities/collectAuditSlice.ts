/**
 * Moves audit log pages of one time window into Sentinel: fetch a page, map, upload, and only
 * then advance `after`. The window is drained whatever the server's sort order, and ids are
 * deduplicated within the window and against ids delivered earlier (late-arrival overlap).
 */
import { nextAuditCursor, CursorGuard } from "../src/openai/paging";
import { AUDIT_LOGS_STREAM } from "../src/config";
import { toAuditLogRow } from "../src/rows/auditLogRow";
import { withApiKey } from "./apiKey";
import type { CollectDeps, CollectorRef } from "./deps";
import { idDigest, recentEntry } from "./idDigest";
import { outcomeOf, type Outcome } from "./outcome";
import { prefetch } from "./prefetch";

/** Input of one audit-slice activity. Small and key-free: it is stored in orchestration history. */
export interface AuditSliceInput extends CollectorRef {
  /** Window start, Unix seconds, inclusive. */
  readonly gte: number;
  /** Window end, Unix seconds, exclusive. */
  readonly lt: number;
  /** Continue after this id; null starts the window from its first page. */
  readonly after: string | null;
  /** Pages to move in this call at most. */
  readonly maxPages: number;
  /** Digests ({@link idDigest}) of ids already delivered in this window. */
  readonly skip?: readonly string[];
  /** Report entries ({@link recentEntry}) for delivered events at or after this Unix second. */
  readonly recentSince?: number;
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
  readonly duplicates: number;
  /** Newest effective_at delivered, Unix seconds. */
  readonly newestEventAt: number | null;
  /** {@link recentEntry} of delivered events at or after `recentSince`. */
  readonly recent: string[];
}

/** Creates the audit-slice activity handler over its dependencies. */
export function collectAuditSlice(deps: CollectDeps) {
  return async (input: AuditSliceInput): Promise<AuditSliceResult> => {
    const skip = new Set(input.skip ?? []);
    const guard = new CursorGuard(input.after);
    let after = input.after;
    let pages = 0, rowsWritten = 0, duplicates = 0;
    let newestEventAt: number | null = null;
    const recent: string[] = [];
    const result = (outcome: Outcome, done: boolean): AuditSliceResult => ({ outcome, done, after, pages, rowsWritten, duplicates, newestEventAt, recent });

    const fetchPage = (cursor: string | null) => withApiKey(deps.secrets, input.apiKeySecretName, (key) =>
      deps.openai.listAuditLogs(key, { gte: input.gte, lt: input.lt, after: cursor ?? undefined }));
    try {
      let pending = prefetch(() => fetchPage(after));
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
        await deps.writer.upload(AUDIT_LOGS_STREAM, fresh.map((e) => toAuditLogRow(e, { ...input, collectedAt })));
        // Delivered: only now may the cursor move.
        pages++;
        rowsWritten += fresh.length;
        for (const event of fresh) {
          if (typeof event.effective_at === "number") {
            newestEventAt = Math.max(newestEventAt ?? event.effective_at, event.effective_at);
            if (input.recentSince !== undefined && event.effective_at >= input.recentSince) recent.push(recentEntry(event.effective_at, event.id));
          }
        }
        if (next === null) return result({ kind: "ok" }, true);
        after = next;
      }
      return result({ kind: "ok" }, false);
    } catch (error) {
      return result(outcomeOf(error), false);
    }
  };
}
