/**
 * Moves the stored chat completions of one segment of a pass into Sentinel (see
 * src/cursors/completionSweep.ts): newest first from the segment's anchor down to its floor, each
 * page uploaded before the segment's progress records it. A dead `after` — a 404, or a silent
 * empty page that a probe of the id shows was deleted — restarts the segment from the nearest live
 * point above it (its own anchor, the anchors of the segments above, then the newest completion),
 * so deleting any completion never stalls collection. Completions created before the previous
 * pass's newest one are late arrivals: taken once, counted, remembered. Which completions to take
 * is decided by the pure judge (src/cursors/completionSweep.ts `judgePage`); a bucket of the late
 * memory that fails its check after it began on an earlier page is listed again from its start.
 */
import { CHAT_COMPLETIONS_STREAM } from "../src/config";
import { FUTURE_TOLERANCE_SECONDS } from "../src/cursors/chatCursor";
import { judgePage, readDownTo, recordDelivered, type Anchor, type ListedItem, type Segment, type SweepProgress } from "../src/cursors/completionSweep";
import { digest32, unpackDigests } from "../src/cursors/digest";
import { emptyMemory, MemoryBook } from "../src/cursors/lateMemory";
import { createdSecond } from "../src/openai/createdOrder";
import { isOpenAIError } from "../src/openai/failures";
import { CursorGuard, nextCompletionCursor } from "../src/openai/paging";
import type { ChatCompletion, ListPage } from "../src/openai/types";
import { toChatCompletionRow } from "../src/rows/chatCompletionRow";
import { withApiKey } from "./apiKey";
import type { CollectDeps, CollectorRef } from "./deps";
import { outcomeOf, type Outcome } from "./outcome";
import { prefetch } from "./prefetch";

/** Input of one chat-completions segment activity. Key-free and small: it is stored in orchestration history. */
export interface CompletionSegmentInput extends CollectorRef {
  readonly segment: Segment;
  /** Where to read again from when `after` is dead, nearest first (the anchors of the segments above); the newest completion is tried last. */
  readonly restartFrom: readonly Anchor[];
  /** Delivered completions created at or after this Unix second are remembered (the next pass re-reads down to it). */
  readonly rememberSince: number;
  /** A completion taken at or below this Unix second (the previous pass's newest) became listable late; null in a first pass. */
  readonly lateAtOrBelow: number | null;
  /** Characters the segment's late memory may take ({@link MemoryBook.fit}). */
  readonly memoryBudget: number;
  /** Pages to read in this call at most. */
  readonly maxPages: number;
  /** Count listed completions per `model` (the orchestrator chooses a model to find anchors with). */
  readonly countModels: boolean;
  /** Packed digests of the unplaced completions delivered before (chatCursor.ts `OddCreated`); absent in inputs planned before it existed. */
  readonly unplaced?: string;
}

/** Late arrivals seen by one call. */
export interface LateCounts {
  /** Late completions delivered. */
  readonly collected: number;
  /** Largest age (now − created, seconds) of a late completion delivered; null when none. */
  readonly maxDelaySeconds: number | null;
  /** Completions delivered again because a bucket of the late memory listed something else than it held (at most this many duplicates). */
  readonly redelivered: number;
}

/** Result: the segment's new state and counts, never records. */
export interface CompletionSegmentResult {
  readonly outcome: Outcome;
  readonly segment: Segment;
  /** True when the segment reached its floor (or the end of the listing). */
  readonly done: boolean;
  readonly pages: number;
  readonly rowsWritten: number;
  /** Completions listed again after a restart but already delivered by this segment. */
  readonly again: number;
  /** Times a dead `after` restarted the segment from a point above. */
  readonly restarts: number;
  /** Newest `created` delivered, Unix seconds. */
  readonly newestEventAt: number | null;
  readonly late: LateCounts;
  /** Completions listed (delivered or not) and the span of their `created`, for density estimates. */
  readonly listed: { readonly count: number; readonly newest: number | null; readonly oldest: number | null };
  /** Listed completions per model, when asked for. */
  readonly models: Readonly<Record<string, number>> | null;
  /** Completions delivered with a future `created` (not counted in `newestEventAt`), and digests of the unplaced ones delivered. */
  readonly odd: { readonly future: number; readonly unplaced: readonly number[] };
}

function isGone(error: unknown): boolean {
  return isOpenAIError(error) && (error.failure.kind === "cursorInvalid" || error.failure.kind === "notFound");
}

/** Creates the chat-completions segment activity over its dependencies. */
export function collectChatCompletions(deps: CollectDeps) {
  return async (input: CompletionSegmentInput): Promise<CompletionSegmentResult> => {
    const segment = input.segment;
    let progress: SweepProgress = segment.progress;
    let book: MemoryBook | null = segment.memory ? new MemoryBook(segment.memory) : null;
    let guard = new CursorGuard(progress.after);
    let pages = 0, rowsWritten = 0, again = 0, restarts = 0, collected = 0, redelivered = 0, listedCount = 0, future = 0;
    let newestEventAt: number | null = null, maxDelaySeconds: number | null = null, listedNewest: number | null = null, listedOldest: number | null = null;
    const models: Record<string, number> | null = input.countModels ? {} : null;
    const tried = new Set<string>();
    const unplaced = new Set(unpackDigests(input.unplaced ?? ""));
    const unplacedDelivered: number[] = [];
    const fallbacks: Array<Anchor | null> = [...(segment.start ? [segment.start] : []), ...input.restartFrom, null];

    const result = (outcome: Outcome, done: boolean): CompletionSegmentResult => {
      const at = readDownTo({ ...segment, progress });
      const memory = book ? (book.fit(input.memoryBudget, { boundaries: [input.rememberSince, at, at + 1], keepExact: Number.isFinite(at) ? at : null }), book.close()) : null;
      return {
        outcome, segment: { ...segment, progress, memory }, done, pages, rowsWritten, again, restarts, newestEventAt,
        late: { collected, maxDelaySeconds, redelivered }, listed: { count: listedCount, newest: listedNewest, oldest: listedOldest }, models,
        odd: { future, unplaced: unplacedDelivered },
      };
    };
    const list = (after: string | null, afterCreated: number | null) => withApiKey(deps.secrets, input.apiKeySecretName, (key) =>
      deps.openai.listChatCompletions(key, { order: "desc", after: after ?? undefined, afterCreated }));
    const restart = (dead: string) => {
      tried.add(dead);
      const next = fallbacks.find((a) => a === null || !tried.has(a.id));
      if (next === undefined || restarts > fallbacks.length) throw new Error("every restart point of the segment was deleted; the listing is unstable");
      restarts++;
      // Listing from above again: a bucket is checked again from its start.
      progress = { ...progress, after: next?.id ?? null, at: next?.created ?? null, check: null, reread: null };
      guard = new CursorGuard(progress.after);
    };

    // The next page is requested while this one uploads; the progress still moves only after the upload.
    let pending: Promise<ListPage<ChatCompletion>> | undefined;
    try {
      while (pages < input.maxPages) {
        const after = progress.after;
        let page: ListPage<ChatCompletion>;
        try {
          page = await (pending ?? list(after, progress.at));
        } catch (error) {
          if (after !== null && isGone(error)) { restart(after); continue; }
          throw error;
        } finally {
          pending = undefined;
        }
        if (after !== null && page.data.length === 0 && !page.hasMore) {
          // Empty and done after an id: either nothing is older, or the id was deleted and the
          // server answers a dead cursor with silence. Ask for the id itself.
          const alive = await withApiKey(deps.secrets, input.apiKeySecretName, (key) => deps.openai.getChatCompletion(key, after))
            .then(() => true, (error: unknown) => { if (isGone(error)) return false; throw error; });
          if (!alive) { restart(after); continue; }
        }

        const listed: ListedItem[] = page.data.map((c) => ({ id: c.id, created: createdSecond(c.created) }));
        // A completion is judged only once the one listed after it was seen in created order (the
        // client checks the order within a page and from the `after` on): the page's last one waits
        // for the next page, so one completion listed with a wrong created cannot end the segment
        // or move its progress where the listing is not.
        const holdLast = page.hasMore && page.data.length > 1;
        const judged = judgePage({ ...segment, progress }, book, listed, { last: !page.hasMore, unplaced, ...(holdLast ? { upTo: listed.length - 1 } : {}) });
        const { verdicts } = judged;
        const judgedItems = page.data.slice(0, verdicts.length);
        const fresh = judgedItems.filter((_, i) => verdicts[i] === "new");
        const finishing = judged.done;
        const next = judged.rewind ? judged.rewind.after : holdLast ? judgedItems[judgedItems.length - 1]!.id : nextCompletionCursor(page);
        const nextAt = judged.rewind ? judged.rewind.at : judged.at;
        if (judged.rewind) guard = new CursorGuard(next);
        else if (!finishing && next !== null) guard.follow(next);
        if (!finishing && pages + 1 < input.maxPages) pending = prefetch(() => list(next, nextAt));
        const collectedAt = new Date(deps.now()).toISOString();
        await deps.writer.upload(CHAT_COMPLETIONS_STREAM, fresh.map((c) => toChatCompletionRow(c, { ...input, collectedAt })));
        // Delivered: only now may the progress move.
        pages++;
        rowsWritten += fresh.length;
        const nowSeconds = Math.floor(deps.now() / 1000);
        for (const start of judged.resets) book?.resetBucket(start);
        redelivered += judged.redelivered;
        collected += judged.identified;
        judgedItems.forEach((c, i) => {
          const verdict = verdicts[i]!;
          const created = listed[i]!.created;
          if (verdict === "again") again++;
          if (verdict !== "floor") {
            listedCount++;
            if (created !== null) {
              listedNewest = Math.max(listedNewest ?? created, created);
              listedOldest = Math.min(listedOldest ?? created, created);
            }
            if (models) models[c.model ?? ""] = (models[c.model ?? ""] ?? 0) + 1;
          }
          if (verdict !== "new") return;
          if (created === null) {
            unplaced.add(digest32(c.id));
            unplacedDelivered.push(digest32(c.id));
            return;
          }
          if (created > nowSeconds + FUTURE_TOLERANCE_SECONDS) future++;
          else newestEventAt = Math.max(newestEventAt ?? created, created);
          // A late arrival told apart by its digest (those a bucket pinned down are counted by the judge).
          if (input.lateAtOrBelow !== null && created <= input.lateAtOrBelow && !book?.bucketAt(created)) {
            collected++;
            maxDelaySeconds = Math.max(maxDelaySeconds ?? 0, nowSeconds - created);
          }
          if (created >= input.rememberSince) (book ??= new MemoryBook(emptyMemory(input.rememberSince))).add(created, c.id);
        });
        progress = recordDelivered(progress, fresh.map((c) => ({ id: c.id, created: createdSecond(c.created) })), finishing ? null : next, finishing ? null : nextAt, judged);
        if (finishing) return result({ kind: "ok" }, true);
      }
      return result({ kind: "ok" }, false);
    } catch (error) {
      return result(outcomeOf(error), false);
    }
  };
}
