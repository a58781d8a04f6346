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
 *
 * Delivery (activities/pageDelivery.ts): a page's rows go in order and a partly accepted page
 * moves the progress to its last accepted completion (judged again up to it, so a bucket check
 * stands where the accepted part ends), so the next try lists exactly the rest; after each
 * accepted page that another follows the call records its loop state, and a call run again with
 * the same input (its instance died, or its generation is retried) resumes there. A listing that
 * ends above the segment's floor while a completion known to lie below (`below`) still exists
 * contradicts itself: an error, never the end of the segment.
 */
import { CHAT_COMPLETIONS_STREAM } from "../src/config";
import { countInto } from "../src/json/ownFields";
import { FUTURE_TOLERANCE_SECONDS } from "../src/cursors/chatCursor";
import { judgePage, readDownTo, recordDelivered, type Anchor, type ListedItem, type PageJudgement, type Segment, type SweepProgress } from "../src/cursors/completionSweep";
import { digest32, unpackDigests } from "../src/cursors/digest";
import { emptyMemory, MemoryBook } from "../src/cursors/lateMemory";
import type { ProgressLog } from "../src/delivery/progressLog";
import { createdSecond } from "../src/openai/createdOrder";
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
    const list = (after: string | null, afterCreated: number | null) => withApiKey(deps.secrets, input.apiKeySecretName, (key) =>
      deps.openai.listChatCompletions(key, { order: "desc", after: after ?? undefined, afterCreated }));
    const exists = (id: string) => withApiKey(deps.secrets, input.apiKeySecretName, (key) => deps.openai.getChatCompletion(key, id))
      .then(() => true, (error: unknown) => { if (isGone(error)) return false; throw error; });
    // The first page is requested while the recorded progress is read; a resumed call lists from where it got to instead.
    let pending: Promise<ListPage<ChatCompletion>> | undefined = prefetch(() => list(input.segment.progress.after, input.segment.progress.at));
    const delivery = await PageDelivery.open<SegmentProgress>(progressLog, input);
    const resumed = delivery.resumed;
    const segment = input.segment;
    let progress: SweepProgress = resumed?.segment.progress ?? segment.progress;
    const memory = resumed ? resumed.segment.memory : segment.memory;
    let book: MemoryBook | null = memory ? new MemoryBook(memory) : null;
    let guard = new CursorGuard(progress.after);
    let done = resumed?.done ?? false;
    let { pages, rowsWritten, again, restarts } = resumed ?? { pages: 0, rowsWritten: 0, again: 0, restarts: 0 };
    let { collected, redelivered, maxDelaySeconds } = resumed?.late ?? { collected: 0, redelivered: 0, maxDelaySeconds: null };
    let { count: listedCount, newest: listedNewest, oldest: listedOldest } = resumed?.listed ?? { count: 0, newest: null, oldest: null };
    let newestEventAt = resumed?.newestEventAt ?? null;
    let belowNextFloor = resumed?.belowNextFloor ?? null;
    let future = resumed?.odd.future ?? 0;
    const unplacedDelivered: number[] = [...(resumed?.odd.unplaced ?? [])];
    const unplaced = new Set([...unpackDigests(input.unplaced ?? ""), ...unplacedDelivered]);
    const models: Record<string, number> | null = input.countModels ? { ...resumed?.models } : null;
    const tried = new Set<string>(resumed?.tried ?? []);
    const fallbacks: Array<Anchor | null> = [...(segment.start ? [segment.start] : []), ...input.restartFrom, null];
    if (progress.after !== segment.progress.after || done) pending = undefined;

    const snapshot = (): SegmentProgress => ({
      segment: { ...segment, progress, memory: book?.close() ?? null }, done, pages, rowsWritten, again, restarts, newestEventAt,
      late: { collected, maxDelaySeconds, redelivered }, listed: { count: listedCount, newest: listedNewest, oldest: listedOldest }, models,
      odd: { future, unplaced: [...unplacedDelivered] }, belowNextFloor, tried: [...tried],
    });
    const result = (outcome: Outcome): CompletionSegmentResult => {
      const at = readDownTo({ ...segment, progress });
      book?.fit(input.memoryBudget, { boundaries: [input.rememberSince, at, at + 1], keepExact: Number.isFinite(at) ? at : null });
      const { tried: _tried, ...state } = snapshot();
      return { outcome, ...state };
    };
    const restart = (dead: string) => {
      tried.add(dead);
      const next = fallbacks.find((a) => a === null || !tried.has(a.id));
      if (next === undefined || restarts > fallbacks.length) throw new Error("every restart point of the segment was deleted; the listing is unstable");
      restarts++;
      // Listing from above again: a bucket is checked again from its start.
      progress = { ...progress, after: next?.id ?? null, at: next?.created ?? null, check: null, reread: null };
      guard = new CursorGuard(progress.after);
    };
    /** Takes delivered listed completions (and the judge's verdicts on them) into the counts and the memory; `judged` first resets the buckets it delivers again. */
    const absorb = (items: readonly ChatCompletion[], listed: readonly ListedItem[], judged: Pick<PageJudgement, "verdicts" | "resets" | "redelivered" | "identified">) => {
      const nowSeconds = Math.floor(deps.now() / 1000);
      for (const start of judged.resets) book?.resetBucket(start);
      redelivered += judged.redelivered;
      collected += judged.identified;
      items.forEach((c, i) => {
        const verdict = judged.verdicts[i]!;
        const created = listed[i]!.created;
        if (verdict === "again") again++;
        if (verdict !== "outside" && created !== null && created < input.rememberSince && (belowNextFloor === null || created > belowNextFloor.created)) belowNextFloor = { id: c.id, created };
        if (verdict !== "floor") {
          listedCount++;
          if (created !== null) {
            listedNewest = Math.max(listedNewest ?? created, created);
            listedOldest = Math.min(listedOldest ?? created, created);
          }
          if (models) countInto(models, c.model ?? "");
        }
        if (verdict !== "new") return;
        rowsWritten++;
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
    };

    // The next page is requested while this one uploads; the progress still moves only after the upload.
    try {
      while (!done && pages < input.maxPages) {
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
          if (!(await exists(after))) { restart(after); continue; }
        }

        const listed: ListedItem[] = page.data.map((c) => ({ id: c.id, created: createdSecond(c.created) }));
        // A completion is judged only once the one listed after it was seen in created order (the
        // client checks the order within a page and from the `after` on): the page's last one waits
        // for the next page, so one completion listed with a wrong created cannot end the segment
        // or move its progress where the listing is not.
        const holdLast = page.hasMore && page.data.length > 1;
        const judge = (upTo?: number) => judgePage({ ...segment, progress }, book, listed, { last: !page.hasMore, unplaced, ...(upTo !== undefined ? { upTo } : {}) });
        const judged = judge(holdLast ? listed.length - 1 : undefined);
        const { verdicts } = judged;
        const judgedItems = page.data.slice(0, verdicts.length);
        const readTo = judged.at;
        if (!page.hasMore && !judged.rewind && !verdicts.includes("floor") && input.below && readTo !== null && input.below.created < readTo && (await exists(input.below.id))) {
          throw new MalformedResponseError(`the completions listing ended (has_more: false) at created ${readTo}, above the segment's floor, but ${input.below.id} (created ${input.below.created}) still exists and was not listed`);
        }
        const fresh = judgedItems.filter((_, i) => verdicts[i] === "new");
        const finishing = judged.done;
        const next = judged.rewind ? judged.rewind.after : holdLast ? judgedItems[judgedItems.length - 1]!.id : nextCompletionCursor(page);
        const nextAt = judged.rewind ? judged.rewind.at : judged.at;
        if (judged.rewind) guard = new CursorGuard(next);
        else if (!finishing && next !== null) guard.follow(next);
        if (!finishing && pages + 1 < input.maxPages) pending = prefetch(() => list(next, nextAt));
        const collectedAt = new Date(deps.now()).toISOString();
        try {
          await delivery.upload(deps.writer, CHAT_COMPLETIONS_STREAM, fresh.map((c) => toChatCompletionRow(c, { ...input, collectedAt })));
        } catch (error) {
          const accepted = acceptedRowsOf(error);
          if (accepted > 0) {
            // A partly accepted page: the segment moves to its last accepted completion, judged
            // again up to it (a bucket check stands where the accepted part ends), so the next try
            // lists exactly the completions after it.
            const end = judgedItems.indexOf(fresh[accepted - 1]!) + 1;
            const part = judge(end);
            absorb(judgedItems.slice(0, end), listed, part);
            const to = part.rewind ?? { after: judgedItems[end - 1]!.id, at: part.at };
            progress = recordDelivered(progress, fresh.slice(0, accepted).map((c) => ({ id: c.id, created: createdSecond(c.created) })), to.after, to.at, part);
          }
          throw error;
        }
        // Delivered: only now may the progress move.
        pages++;
        absorb(judgedItems, listed, judged);
        progress = recordDelivered(progress, fresh.map((c) => ({ id: c.id, created: createdSecond(c.created) })), finishing ? null : next, finishing ? null : nextAt, judged);
        if (finishing) done = true;
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
