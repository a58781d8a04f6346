/**
 * Moves the stored chat completions of one segment of a pass into Sentinel (see
 * src/cursors/completionSweep.ts): newest first from the segment's anchor down to its floor, each
 * page uploaded before the segment's progress records it. A dead `after` — a 404, or a silent
 * empty page that a probe of the id shows was deleted — restarts the segment from the nearest live
 * point above it (its own anchor, the anchors of the segments above, then the newest completion),
 * so deleting any completion never stalls collection. Completions created before the previous
 * pass's newest one are late arrivals: taken once, counted, remembered.
 *
 * Delivery (activities/pageDelivery.ts): a page's rows go in order and a partly accepted page
 * moves the progress to its last accepted completion, so the next try lists exactly the rest; after
 * each accepted page that another follows the call records its loop state, and a call run again
 * with the same input (its instance died, or its generation is retried) resumes there. A listing that ends above the
 * segment's floor while a completion known to lie below (`below`) still exists contradicts itself:
 * an error, never the end of the segment.
 */
import { CHAT_COMPLETIONS_STREAM } from "../src/config";
import { judgeItem, recordDelivered, type Anchor, type ItemVerdict, type Segment, type SweepProgress } from "../src/cursors/completionSweep";
import { emptyMemory, MemoryBook } from "../src/cursors/lateMemory";
import type { ProgressLog } from "../src/delivery/progressLog";
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

/** Input of one chat-completions segment activity. Key-free and small: it is stored in orchestration history. */
export interface CompletionSegmentInput extends CollectorRef {
  readonly segment: Segment;
  /** Where to read again from when `after` is dead, nearest first (the anchors of the segments above); the newest completion is tried last. */
  readonly restartFrom: readonly Anchor[];
  /**
   * A completion known to exist below the segment (the anchor of the segment below, or one listed
   * below this pass's floor by the pass before); null when none is known. While it exists, the
   * listing may not end before reaching it. Absent in inputs planned before it existed.
   */
  readonly below?: Anchor | null;
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
  /**
   * The newest completion listed that was created before `rememberSince` (the next pass's floor):
   * the next pass knows it lies below its floor (its segments' `below`). Null when none was listed.
   */
  readonly belowNextFloor: Anchor | null;
}

/** What one call has done so far: its result without the outcome (memory not yet fitted), and the restart points it found dead. Recorded after each page another follows (see pageDelivery.ts). */
interface SegmentProgress extends Omit<CompletionSegmentResult, "outcome"> {
  /** Absent in a finished call's result recorded by the orchestrator. */
  readonly tried?: readonly string[];
}

function isGone(error: unknown): boolean {
  return isOpenAIError(error) && (error.failure.kind === "cursorInvalid" || error.failure.kind === "notFound");
}

/** Creates the chat-completions segment activity over its dependencies; `progressLog` makes it crash-safe. */
export function collectChatCompletions(deps: CollectDeps, progressLog?: ProgressLog) {
  return async (input: CompletionSegmentInput): Promise<CompletionSegmentResult> => {
    const list = (after: string | null) => withApiKey(deps.secrets, input.apiKeySecretName, (key) =>
      deps.openai.listChatCompletions(key, { order: "desc", after: after ?? undefined }));
    const exists = (id: string) => withApiKey(deps.secrets, input.apiKeySecretName, (key) => deps.openai.getChatCompletion(key, id))
      .then(() => true, (error: unknown) => { if (isGone(error)) return false; throw error; });
    // The first page is requested while the recorded progress is read; a resumed call lists from where it got to instead.
    let pending: Promise<ListPage<ChatCompletion>> | undefined = prefetch(() => list(input.segment.progress.after));
    const delivery = await PageDelivery.open<SegmentProgress>(progressLog, input);
    const resumed = delivery.resumed;
    const segment = input.segment;
    let progress: SweepProgress = resumed?.segment.progress ?? segment.progress;
    const memory = resumed ? resumed.segment.memory : segment.memory;
    let book: MemoryBook | null = memory ? new MemoryBook(memory) : null;
    let guard = new CursorGuard(progress.after);
    let done = resumed?.done ?? false;
    let { pages, rowsWritten, again, restarts } = resumed ?? { pages: 0, rowsWritten: 0, again: 0, restarts: 0 };
    let { collected, mayHaveMissed, maxDelaySeconds } = resumed?.late ?? { collected: 0, mayHaveMissed: 0, maxDelaySeconds: null };
    let { count: listedCount, newest: listedNewest, oldest: listedOldest } = resumed?.listed ?? { count: 0, newest: null, oldest: null };
    let newestEventAt = resumed?.newestEventAt ?? null;
    let belowNextFloor = resumed?.belowNextFloor ?? null;
    const models: Record<string, number> | null = input.countModels ? { ...resumed?.models } : null;
    const tried = new Set<string>(resumed?.tried ?? []);
    const fallbacks: Array<Anchor | null> = [...(segment.start ? [segment.start] : []), ...input.restartFrom, null];
    if (progress.after !== segment.progress.after || done) pending = undefined;

    const snapshot = (): SegmentProgress => ({
      segment: { ...segment, progress, memory: book?.close() ?? null }, done, pages, rowsWritten, again, restarts, newestEventAt,
      late: { collected, maxDelaySeconds, mayHaveMissed }, listed: { count: listedCount, newest: listedNewest, oldest: listedOldest }, models, belowNextFloor, tried: [...tried],
    });
    const result = (outcome: Outcome): CompletionSegmentResult => {
      book?.fit(input.memoryBudget);
      const { tried: _tried, ...state } = snapshot();
      return { outcome, ...state };
    };
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
    /** Takes delivered listed completions (and the verdicts on them) into the counts, the tally and the memory. */
    const absorb = (items: readonly ChatCompletion[], verdicts: readonly ItemVerdict[]) => {
      const nowSeconds = Math.floor(deps.now() / 1000);
      items.forEach((c, i) => {
        const verdict = verdicts[i]!;
        if (verdict === "again") again++;
        if (verdict !== "outside" && c.created < input.rememberSince && (belowNextFloor === null || c.created > belowNextFloor.created)) belowNextFloor = { id: c.id, created: c.created };
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
        rowsWritten++;
        newestEventAt = Math.max(newestEventAt ?? c.created, c.created);
        if (input.lateAtOrBelow !== null && c.created <= input.lateAtOrBelow) {
          collected++;
          maxDelaySeconds = Math.max(maxDelaySeconds ?? 0, nowSeconds - c.created);
        }
        if (c.created >= input.rememberSince) (book ??= new MemoryBook(emptyMemory(segment.lo))).add(c.created, c.id);
      });
    };

    // The next page is requested while this one uploads; the progress still moves only after the upload.
    try {
      while (!done && pages < input.maxPages) {
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
          if (!(await exists(after))) { restart(after); continue; }
        }

        const verdicts = page.data.map((c) => judgeItem({ ...segment, progress }, book, c.created, c.id));
        const last = page.data[page.data.length - 1];
        const next = nextCompletionCursor(page);
        const reachedFloor = verdicts.includes("floor");
        const readTo = last?.created ?? progress.at;
        if (next === null && !reachedFloor && input.below && readTo !== null && input.below.created < readTo && (await exists(input.below.id))) {
          throw new MalformedResponseError(`the completions listing ended (has_more: false) at created ${readTo}, above the segment's floor, but ${input.below.id} (created ${input.below.created}) still exists and was not listed`);
        }
        const finishing = next === null || reachedFloor;
        if (!finishing) {
          guard.follow(next);
          if (pages + 1 < input.maxPages) pending = prefetch(() => list(next));
        }
        const fresh = page.data.filter((_, i) => verdicts[i] === "new");
        const collectedAt = new Date(deps.now()).toISOString();
        try {
          await delivery.upload(deps.writer, CHAT_COMPLETIONS_STREAM, fresh.map((c) => toChatCompletionRow(c, { ...input, collectedAt })));
        } catch (error) {
          const accepted = acceptedRowsOf(error);
          if (accepted > 0) {
            // A partly accepted page: the segment moves to its last accepted completion, so the
            // next try lists exactly the completions after it.
            const end = page.data.indexOf(fresh[accepted - 1]!) + 1;
            absorb(page.data.slice(0, end), verdicts.slice(0, end));
            progress = recordDelivered(progress, fresh.slice(0, accepted), page.data[end - 1]!.id, page.data[end - 1]!.created);
          }
          throw error;
        }
        // Delivered: only now may the progress move.
        pages++;
        absorb(page.data, verdicts);
        progress = recordDelivered(progress, fresh, next, next === null ? null : last?.created ?? null);
        if (finishing) {
          finishTally();
          done = true;
        }
        if (!done && pages < input.maxPages) delivery.record(snapshot());
      }
      return result({ kind: "ok" });
    } catch (error) {
      return result(outcomeOf(error));
    } finally {
      await delivery.close();
    }
  };
}
