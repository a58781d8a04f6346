/**
 * Moves the stored chat completions of one segment of a pass into Sentinel (see
 * src/cursors/completionSweep.ts): newest first from the segment's anchor down to its floor, each
 * page uploaded before the segment's progress records it. A dead `after` — a 404, or a silent
 * empty page that a probe of the id shows was deleted — restarts the segment from the nearest live
 * point above it (its own anchor, the anchors of the segments above, then the newest completion),
 * so deleting any completion never stalls collection. Completions created before the previous
 * pass's newest one are late arrivals: taken once, counted, remembered.
 */
import { CHAT_COMPLETIONS_STREAM } from "../src/config";
import { judgeItem, recordDelivered, type Anchor, type Segment, type SweepProgress } from "../src/cursors/completionSweep";
import { emptyMemory, MemoryBook } from "../src/cursors/lateMemory";
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
}

/** Late arrivals seen by one call. */
export interface LateCounts {
  /** Late completions delivered. */
  readonly collected: number;
  /** Largest age (now − created, seconds) of a late completion delivered; null when none. */
  readonly maxDelaySeconds: number | null;
  /** More completions listed in count-only minutes of the late memory than seen there before: late, and not collected. */
  readonly mayHaveMissed: number;
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
    let pages = 0, rowsWritten = 0, again = 0, restarts = 0, collected = 0, mayHaveMissed = 0, listedCount = 0;
    let newestEventAt: number | null = null, maxDelaySeconds: number | null = null, listedNewest: number | null = null, listedOldest: number | null = null;
    const models: Record<string, number> | null = input.countModels ? {} : null;
    const tried = new Set<string>();
    const fallbacks: Array<Anchor | null> = [...(segment.start ? [segment.start] : []), ...input.restartFrom, null];

    const result = (outcome: Outcome, done: boolean): CompletionSegmentResult => {
      const memory = book ? (book.fit(input.memoryBudget), book.close()) : null;
      return {
        outcome, segment: { ...segment, progress, memory }, done, pages, rowsWritten, again, restarts, newestEventAt,
        late: { collected, maxDelaySeconds, mayHaveMissed }, listed: { count: listedCount, newest: listedNewest, oldest: listedOldest }, models,
      };
    };
    const list = (after: string | null) => withApiKey(deps.secrets, input.apiKeySecretName, (key) =>
      deps.openai.listChatCompletions(key, { order: "desc", after: after ?? undefined }));
    const restart = (dead: string) => {
      tried.add(dead);
      const next = fallbacks.find((a) => a === null || !tried.has(a.id));
      if (next === undefined || restarts > fallbacks.length) throw new Error("every restart point of the segment was deleted; the listing is unstable");
      restarts++;
      // Counting restarts from above, so a half-counted minute is counted again from its start.
      progress = { ...progress, after: next?.id ?? null, at: next?.created ?? null, tally: null };
      guard = new CursorGuard(progress.after);
    };
    const finishTally = () => {
      if (progress.tally && book) mayHaveMissed += book.seenInMinute(progress.tally.minute, progress.tally.count);
      progress = { ...progress, tally: null };
    };

    // The next page is requested while this one uploads; the progress still moves only after the upload.
    let pending: Promise<ListPage<ChatCompletion>> | undefined;
    try {
      while (pages < input.maxPages) {
        const after = progress.after;
        let page: ListPage<ChatCompletion>;
        try {
          page = await (pending ?? list(after));
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

        const verdicts = page.data.map((c) => judgeItem({ ...segment, progress }, book, c.created, c.id));
        const fresh = page.data.filter((_, i) => verdicts[i] === "new");
        const last = page.data[page.data.length - 1];
        const next = nextCompletionCursor(page);
        const finishing = next === null || verdicts.includes("floor");
        if (!finishing && next !== null) {
          guard.follow(next);
          if (pages + 1 < input.maxPages) pending = prefetch(() => list(next));
        }
        const collectedAt = new Date(deps.now()).toISOString();
        await deps.writer.upload(CHAT_COMPLETIONS_STREAM, fresh.map((c) => toChatCompletionRow(c, { ...input, collectedAt })));
        // Delivered: only now may the progress move.
        pages++;
        rowsWritten += fresh.length;
        const nowSeconds = Math.floor(deps.now() / 1000);
        page.data.forEach((c, i) => {
          const verdict = verdicts[i]!;
          if (verdict === "again") again++;
          if (verdict !== "floor") {
            listedCount++;
            listedNewest = Math.max(listedNewest ?? c.created, c.created);
            listedOldest = Math.min(listedOldest ?? c.created, c.created);
            if (models) models[c.model ?? ""] = (models[c.model ?? ""] ?? 0) + 1;
          }
          const minute = Math.floor(c.created / 60);
          if (progress.tally && minute !== progress.tally.minute) finishTally();
          if (verdict === "tail") progress = { ...progress, tally: { minute, count: (progress.tally?.count ?? 0) + 1 } };
          if (verdict !== "new") return;
          newestEventAt = Math.max(newestEventAt ?? c.created, c.created);
          if (input.lateAtOrBelow !== null && c.created <= input.lateAtOrBelow) {
            collected++;
            maxDelaySeconds = Math.max(maxDelaySeconds ?? 0, nowSeconds - c.created);
          }
          if (c.created >= input.rememberSince) (book ??= new MemoryBook(emptyMemory(segment.lo))).add(c.created, c.id);
        });
        progress = recordDelivered(progress, fresh, next, next === null ? null : last?.created ?? null);
        if (finishing) {
          finishTally();
          return result({ kind: "ok" }, true);
        }
      }
      return result({ kind: "ok" }, false);
    } catch (error) {
      return result(outcomeOf(error), false);
    }
  };
}
