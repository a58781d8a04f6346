/**
 * Moves stored chat completions into Sentinel by newest-first sweeps down to the watermark (see
 * src/cursors/completionSweep.ts). Each page is uploaded before the cursor records it. A dead
 * mid-sweep `after` — a 404, or a silent empty page that a probe of the id shows was deleted —
 * restarts the sweep from the top, never stalls it.
 */
import { CHAT_COMPLETIONS_STREAM } from "../src/config";
import type { ProgressLog } from "../src/delivery/progressLog";
import { finishSweep, judgeItem, recordDelivered, type CompletionCursor } from "../src/cursors/completionSweep";
import { isOpenAIError } from "../src/openai/failures";
import { CursorGuard, nextCompletionCursor } from "../src/openai/paging";
import { MalformedResponseError } from "../src/openai/parse";
import type { ChatCompletion, ListPage } from "../src/openai/types";
import { toChatCompletionRow } from "../src/rows/chatCompletionRow";
import { withApiKey } from "./apiKey";
import type { CollectDeps, CollectorRef } from "./deps";
import { outcomeOf, type Outcome } from "./outcome";
import { acceptedRowsOf, PageDelivery } from "./pageDelivery";
import { prefetch } from "./prefetch";

/** Input of one chat-completions activity. Key-free and small. */
export interface CompletionPagesInput extends CollectorRef {
  readonly cursor: CompletionCursor;
  /** Pages to read in this call at most. */
  readonly maxPages: number;
}

/** Result: the new cursor and counts, never records. */
export interface CompletionPagesResult {
  readonly outcome: Outcome;
  readonly cursor: CompletionCursor;
  /** True when this call finished a sweep (the collector is caught up). */
  readonly sweepDone: boolean;
  readonly pages: number;
  readonly rowsWritten: number;
  /** Items listed again but already delivered (restarted sweeps). */
  readonly skipped: number;
  /** Times a dead `after` restarted the sweep from the top. */
  readonly restarts: number;
  /** Newest `created` delivered, Unix seconds. */
  readonly newestEventAt: number | null;
}

function isGone(error: unknown): boolean {
  return isOpenAIError(error) && (error.failure.kind === "cursorInvalid" || error.failure.kind === "notFound");
}

/** What one call has delivered so far: its result without the outcome. Recorded after each page (see pageDelivery.ts). */
type CompletionProgress = Omit<CompletionPagesResult, "outcome">;

/** Creates the chat-completions activity handler over its dependencies; `progress` makes it crash-safe. */
export function collectChatCompletions(deps: CollectDeps, progress?: ProgressLog) {
  return async (input: CompletionPagesInput): Promise<CompletionPagesResult> => {
    const delivery = await PageDelivery.open<CompletionProgress>(progress, input);
    const resumed = delivery.resumed;
    let cursor = resumed?.cursor ?? input.cursor;
    let guard = new CursorGuard(cursor.sweep?.after);
    let pages = resumed?.pages ?? 0, rowsWritten = resumed?.rowsWritten ?? 0, skipped = resumed?.skipped ?? 0, restarts = resumed?.restarts ?? 0;
    let newestEventAt: number | null = resumed?.newestEventAt ?? null;
    const state = (sweepDone: boolean): CompletionProgress => ({ cursor, sweepDone, pages, rowsWritten, skipped, restarts, newestEventAt });
    const result = (outcome: Outcome, sweepDone: boolean): CompletionPagesResult => ({ outcome, ...state(sweepDone) });
    if (resumed?.sweepDone) return result({ kind: "ok" }, true);
    const list = (after: string | null) => withApiKey(deps.secrets, input.apiKeySecretName, (key) =>
      deps.openai.listChatCompletions(key, { order: "desc", after: after ?? undefined }));
    const exists = (id: string) => withApiKey(deps.secrets, input.apiKeySecretName, (key) => deps.openai.getChatCompletion(key, id))
      .then(() => true, (error: unknown) => { if (isGone(error)) return false; throw error; });
    const restartFromTop = () => {
      if (restarts >= 2) throw new Error("sweep restarted twice in one call; the listing is unstable");
      restarts++;
      cursor = { ...cursor, sweep: cursor.sweep ? { ...cursor.sweep, after: null } : null };
      guard = new CursorGuard();
    };

    // The next page is requested while this one uploads; the cursor still moves only after the upload.
    let pending: Promise<ListPage<ChatCompletion>> | undefined;
    try {
      while (pages < input.maxPages) {
        const after = cursor.sweep?.after ?? null;
        let page: ListPage<ChatCompletion>;
        try {
          page = await (pending ?? list(after));
        } catch (error) {
          if (after !== null && isGone(error)) { restartFromTop(); continue; }
          throw error;
        } finally {
          pending = undefined;
        }
        if (after !== null && page.data.length === 0 && !page.hasMore) {
          // Empty and done after an id: either that id is the oldest stored item, or it was
          // deleted and the server answers a dead cursor with silence. Ask for the id itself.
          if (!(await exists(after))) { restartFromTop(); continue; }
        }

        const verdicts = page.data.map((c) => judgeItem(cursor, c.created, c.id));
        const watermark = cursor.watermark;
        const lowest = Math.min(page.data[page.data.length - 1]?.created ?? Infinity, cursor.sweep?.low?.created ?? Infinity);
        if (!page.hasMore && watermark && lowest > watermark.created && watermark.ids[0] !== undefined && (await exists(watermark.ids[0]))) {
          // The listing ended above the watermark although a watermark item still exists: it skipped
          // what lies between. Ending the sweep would make its top the watermark and lose that forever.
          throw new MalformedResponseError(`the completions listing ended (has_more: false) above the watermark, but ${watermark.ids[0]} (created ${watermark.created}) still exists and was not listed`);
        }
        const fresh = page.data.filter((_, i) => verdicts[i] === "new");
        const collectedAt = new Date(deps.now()).toISOString();
        const next = nextCompletionCursor(page);
        const finishing = next === null || verdicts.includes("floor");
        if (!finishing && next !== null) {
          guard.follow(next);
          if (pages + 1 < input.maxPages) pending = prefetch(() => list(next));
        }
        const account = (delivered: readonly ChatCompletion[], nextAfter: string | null) => {
          rowsWritten += delivered.length;
          for (const c of delivered) newestEventAt = Math.max(newestEventAt ?? c.created, c.created);
          cursor = recordDelivered(cursor, delivered, nextAfter);
        };
        try {
          await delivery.upload(deps.writer, CHAT_COMPLETIONS_STREAM, fresh.map((c) => toChatCompletionRow(c, { ...input, collectedAt })));
        } catch (error) {
          // A partly accepted page: the sweep records the accepted (newest-first) prefix and keeps
          // its `after`, so the next try lists this page again and judges exactly those as delivered.
          const accepted = fresh.slice(0, acceptedRowsOf(error));
          if (accepted.length > 0) { account(accepted, after); delivery.record(state(false)); }
          throw error;
        }
        // Delivered: only now may the cursor move.
        pages++;
        skipped += verdicts.filter((v) => v === "skip").length;
        account(fresh, next);
        if (finishing) {
          cursor = finishSweep(cursor);
          delivery.record(state(true));
          return result({ kind: "ok" }, true);
        }
        delivery.record(state(false));
      }
      return result({ kind: "ok" }, false);
    } catch (error) {
      return result(outcomeOf(error), false);
    } finally {
      await delivery.close();
    }
  };
}
