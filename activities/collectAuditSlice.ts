/**
 * Moves audit log pages of one time window into Sentinel: fetch a page, map, upload, and only
 * then advance `after`. The window is drained whatever the server's sort order, and ids are
 * deduplicated within the window and against ids delivered earlier (late-arrival overlap).
 */
import type { ProgressLog } from "../src/delivery/progressLog";
import { nextAuditCursor, CursorGuard } from "../src/openai/paging";
import type { AuditLogEvent } from "../src/openai/types";
import { AUDIT_LOGS_STREAM } from "../src/config";
import { toAuditLogRow } from "../src/rows/auditLogRow";
import { withApiKey } from "./apiKey";
import type { CollectDeps, CollectorRef } from "./deps";
import { idDigest, recentEntry } from "./idDigest";
import { outcomeOf, type Outcome } from "./outcome";
import { acceptedRowsOf, PageDelivery } from "./pageDelivery";
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
  /**
   * Digests ({@link idDigest}) of the rows of the page at `after` that were accepted before an
   * upload failed (a partly accepted upload): pass them as `skip` when continuing. Absent when none.
   */
  readonly skip?: string[];
  readonly pages: number;
  readonly rowsWritten: number;
  readonly duplicates: number;
  /** Newest effective_at delivered, Unix seconds. */
  readonly newestEventAt: number | null;
  /** {@link recentEntry} of delivered events at or after `recentSince`. */
  readonly recent: string[];
}

/** What one call has delivered so far: its result without the outcome. Recorded after each page another follows (see pageDelivery.ts). */
type AuditProgress = Omit<AuditSliceResult, "outcome">;

/** Creates the audit-slice activity handler over its dependencies; `progress` makes it crash-safe. */
export function collectAuditSlice(deps: CollectDeps, progress?: ProgressLog) {
  return async (input: AuditSliceInput): Promise<AuditSliceResult> => {
    const fetchPage = (cursor: string | null) => withApiKey(deps.secrets, input.apiKeySecretName, (key) =>
      deps.openai.listAuditLogs(key, { gte: input.gte, lt: input.lt, after: cursor ?? undefined }));
    // The first page is requested while the recorded progress is read; a resumed call lists from where it got to instead.
    let pending = prefetch(() => fetchPage(input.after));
    const delivery = await PageDelivery.open<AuditProgress>(progress, input);
    let p: AuditProgress = delivery.resumed ?? { done: false, after: input.after, pages: 0, rowsWritten: 0, duplicates: 0, newestEventAt: null, recent: [] };
    // Dedupe: what the window delivered before (input), what the resumed run delivered (its late
    // entries and a partly accepted page), and every row of this call.
    const skip = new Set([...(input.skip ?? []), ...(p.skip ?? []), ...p.recent.map(digestOfRecent)]);
    const guard = new CursorGuard(p.after);
    const result = (outcome: Outcome): AuditSliceResult => ({ outcome, ...p });
    const deliver = (events: readonly AuditLogEvent[], skipped: number): Pick<AuditProgress, "rowsWritten" | "duplicates" | "newestEventAt" | "recent"> => {
      let newestEventAt = p.newestEventAt;
      const recent = [...p.recent];
      for (const event of events) {
        if (typeof event.effective_at !== "number") continue;
        newestEventAt = Math.max(newestEventAt ?? event.effective_at, event.effective_at);
        if (input.recentSince !== undefined && event.effective_at >= input.recentSince) recent.push(recentEntry(event.effective_at, event.id));
      }
      return { rowsWritten: p.rowsWritten + events.length, duplicates: p.duplicates + skipped, newestEventAt, recent };
    };
    try {
      if (p.done) return result({ kind: "ok" });
      if (delivery.resumed) pending = prefetch(() => fetchPage(p.after));
      while (p.pages < input.maxPages) {
        const page = await pending;
        const collectedAt = new Date(deps.now()).toISOString();
        let skipped = 0;
        const fresh = page.data.filter((event) => {
          const digest = idDigest(event.id);
          if (skip.has(digest)) return (skipped++, false);
          skip.add(digest);
          return true;
        });
        // The next page is requested while this one uploads; the cursor still moves only after the upload.
        const next = nextAuditCursor(page);
        if (next !== null) guard.follow(next);
        if (next !== null && p.pages + 1 < input.maxPages) pending = prefetch(() => fetchPage(next));
        try {
          await delivery.upload(deps.writer, AUDIT_LOGS_STREAM, fresh.map((e) => toAuditLogRow(e, { ...input, collectedAt })));
        } catch (error) {
          // A partly accepted page: the result counts the accepted rows and names them to skip when the page is read again.
          const accepted = fresh.slice(0, acceptedRowsOf(error));
          if (accepted.length > 0) p = { ...p, ...deliver(accepted, skipped), skip: [...(p.skip ?? []), ...accepted.map((e) => idDigest(e.id))] };
          throw error;
        }
        // Delivered: only now may the cursor move.
        const { skip: _partlyDelivered, ...rest } = p;
        p = { ...rest, ...deliver(fresh, skipped), pages: p.pages + 1, done: next === null, after: next ?? p.after };
        if (p.done) break;
        if (p.pages < input.maxPages) delivery.record(p);
      }
      return result({ kind: "ok" });
    } catch (error) {
      return result(outcomeOf(error));
    } finally {
      await delivery.close();
    }
  };
}

function digestOfRecent(entry: string): string {
  return entry.slice(entry.indexOf(":") + 1);
}
