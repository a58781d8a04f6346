/**
 * Moves the time buckets of one usage family (or of costs) in one bucket-aligned slice into
 * Sentinel: fetch a page, map every bucket of it to a snapshot, upload, and only then advance.
 * Pages are followed by `next_page` within a call (a repeated one is refused); the progress that
 * crosses calls is a time (`doneUntil`), so a later call starts a new query there and depends on no
 * page cursor staying valid.
 *
 * A re-read (`revision`) writes a bucket again only when its digest differs from the one last
 * delivered, as a complete new snapshot (a bucket that lost every result gets one row saying so).
 */
import type { InvocationContext } from "@azure/functions";
import { isOpenAIError, OpenAIError } from "../src/openai/failures";
import { CursorGuard } from "../src/openai/paging";
import type { UsageBucket, UsagePage } from "../src/openai/usagePage";
import { snapshotRows, type BucketRow } from "../src/rows/usageRow";
import { COSTS_TABLE, USAGE_TABLE } from "../src/schema/tables";
import { NO_MEMORY, recall, remember, type BucketMemory } from "../src/usage/bucketMemory";
import { BUCKET_SECONDS, type BucketWidth, type SeriesName } from "../src/usage/series";
import { redactSecrets } from "../src/redact";
import { withApiKey } from "./apiKey";
import { bucketDigest } from "./bucketDigest";
import type { CollectDeps, CollectorRef } from "./deps";
import { outcomeOf, type Outcome } from "./outcome";
import { prefetch } from "./prefetch";

/** Input of one usage activity. Small and key-free: it is stored in orchestration history. */
export interface UsageBucketsInput extends CollectorRef {
  readonly dataType: "usage" | "costs";
  readonly series: SeriesName;
  readonly bucketWidth: BucketWidth;
  /** First bucket start, Unix seconds (a multiple of the width). */
  readonly gte: number;
  /** End of the slice, Unix seconds, exclusive (a multiple of the width). */
  readonly lt: number;
  /** Pages to move in this call at most. */
  readonly maxPages: number;
  /** A re-read of delivered buckets: unchanged ones are not written again. */
  readonly revision: boolean;
  /** Digests of the slice's buckets as last delivered (re-reads). */
  readonly known?: BucketMemory;
  /** Report the digests of delivered buckets starting at or after this Unix second. */
  readonly rememberFrom: number;
}

/** Result of one usage activity: counts and progress, never rows. */
export interface UsageBucketsResult {
  readonly outcome: Outcome;
  /** True when every bucket of the slice was delivered. */
  readonly done: boolean;
  /** Every bucket of the slice starting before this was delivered (Unix s). */
  readonly doneUntil: number;
  readonly pages: number;
  readonly rowsWritten: number;
  /** Buckets written (first readings with results, and changed re-reads). */
  readonly bucketsWritten: number;
  /** Buckets read again and found unchanged, so not written again. */
  readonly bucketsUnchanged: number;
  /** End of the newest bucket delivered (empty ones too), Unix seconds. */
  readonly newestEventAt: number | null;
  /** Digests of delivered buckets at or after `rememberFrom`. */
  readonly memory: BucketMemory;
}

/** A page cursor the API no longer accepts. */
function isGone(error: unknown): boolean {
  return isOpenAIError(error) && (error.failure.kind === "cursorInvalid" || error.failure.kind === "notFound");
}

/** The page's buckets with the ones it left out of [from, to) added as empty: an absent bucket holds nothing. */
function withAbsentBuckets(buckets: readonly UsageBucket[], from: number, to: number, width: number): UsageBucket[] {
  const byStart = new Map(buckets.map((b) => [b.startTime, b]));
  const all: UsageBucket[] = [];
  for (let start = from; start < to; start += width) all.push(byStart.get(start) ?? { startTime: start, endTime: start + width, results: [] });
  return all;
}

/** Creates the usage activity handler over its dependencies. */
export function collectUsageBuckets(deps: CollectDeps) {
  return async (input: UsageBucketsInput): Promise<UsageBucketsResult> => {
    const width = BUCKET_SECONDS[input.bucketWidth];
    const stream = input.series === "costs" ? COSTS_TABLE.streamName : USAGE_TABLE.streamName;
    const known = recall(input.known ?? NO_MEMORY, width);
    const emptyDigest = bucketDigest(input.series, []);
    const digests = new Map<number, string>();
    let doneUntil = input.gte;
    let pages = 0, rowsWritten = 0, bucketsWritten = 0, bucketsUnchanged = 0, restarts = 0;
    let newestEventAt: number | null = null;
    const result = (outcome: Outcome, done: boolean): UsageBucketsResult => ({
      outcome, done, doneUntil, pages, rowsWritten, bucketsWritten, bucketsUnchanged, newestEventAt,
      memory: remember(digests, width, Math.max(input.gte, input.rememberFrom), doneUntil),
    });

    // A query runs from `queryStart`; its pages follow next_page. A dead page cursor starts a new query where delivery stopped.
    let queryStart = input.gte;
    let guard = new CursorGuard();
    const fetchPage = (page: string | undefined) => withApiKey(deps.secrets, input.apiKeySecretName, (key) =>
      deps.openai.listUsageBuckets(key, input.dataType, { series: input.series, bucketWidth: input.bucketWidth, startTime: queryStart, endTime: input.lt, page }));
    let token: string | undefined;
    let pending: Promise<UsagePage> = prefetch(() => fetchPage(undefined));
    try {
      while (pages < input.maxPages) {
        let page: UsagePage;
        try {
          page = await pending;
        } catch (error) {
          if (token === undefined || !isGone(error) || restarts >= 2) throw error;
          restarts++;
          queryStart = doneUntil;
          token = undefined;
          guard = new CursorGuard();
          pending = prefetch(() => fetchPage(undefined));
          continue;
        }
        const first = page.buckets[0];
        if (first && first.startTime < doneUntil) {
          throw new OpenAIError({ kind: "fatal", status: 200, message: `${input.series}: a page repeats the bucket ${first.startTime}, before ${doneUntil} where the previous page ended` });
        }
        const next = page.nextPage;
        if (next !== null) {
          guard.follow(next);
          if (pages + 1 < input.maxPages) pending = prefetch(() => fetchPage(next));
        }
        const coveredTo = next === null ? input.lt : Math.max(doneUntil, page.buckets[page.buckets.length - 1]?.endTime ?? doneUntil);
        const collectedAt = new Date(deps.now()).toISOString();
        const rows: BucketRow[] = [];
        const seen: Array<[number, string]> = [];
        for (const bucket of withAbsentBuckets(page.buckets, doneUntil, coveredTo, width)) {
          const digest = bucketDigest(input.series, bucket.results);
          const before = known.get(bucket.startTime);
          seen.push([bucket.startTime, digest]);
          if (input.revision && before === digest) {
            bucketsUnchanged++;
            continue;
          }
          // A re-read bucket that lost its results says so in one row; a first reading of an empty bucket writes nothing.
          const snapshot = snapshotRows(input.series, bucket, { ...input, collectedAt, isRevision: input.revision }, input.revision && before !== emptyDigest);
          if (snapshot.length > 0) bucketsWritten++;
          for (const row of snapshot) rows.push(row);
        }
        await deps.writer.upload(stream, rows);
        // Delivered: only now may the progress move.
        pages++;
        rowsWritten += rows.length;
        for (const [start, digest] of seen) if (start >= input.rememberFrom) digests.set(start, digest);
        // The lag of usage is how far the delivered buckets reach, empty ones included.
        if (coveredTo > doneUntil) newestEventAt = Math.max(newestEventAt ?? coveredTo, coveredTo);
        doneUntil = coveredTo;
        if (next === null) return result({ kind: "ok" }, true);
        token = next;
      }
      if (doneUntil === input.gte) {
        return result({ kind: "failed", retriable: true, message: `${input.series}: ${pages} pages in [${input.gte}, ${input.lt}) brought no bucket but said has_more; the listing makes no progress` }, false);
      }
      return result({ kind: "ok" }, false);
    } catch (error) {
      return result(outcomeOf(error), false);
    }
  };
}

/**
 * The registered handler: logs one line per call, and turns an unexpected throw into a failed
 * outcome (a thrown error would make the generation's Task.all lose its siblings' progress).
 */
export function usageBucketsHandler(deps: () => CollectDeps) {
  return async (input: UsageBucketsInput, context: InvocationContext): Promise<UsageBucketsResult> => {
    try {
      const r = await collectUsageBuckets(deps())(input);
      context.log(`${input.dataType} ${input.collectorId} ${input.series} [${input.gte},${input.lt})${input.revision ? " re-read" : ""}: ${r.pages} pages, ${r.rowsWritten} rows, ${r.bucketsUnchanged} unchanged, ${r.outcome.kind}${r.done ? ", done" : ""}`);
      return r;
    } catch (error) {
      const message = `unexpected error: ${redactSecrets((error as Error)?.message ?? String(error))}`;
      context.error(`${input.dataType} ${input.collectorId}: ${message}`);
      return { outcome: { kind: "failed", retriable: true, message }, done: false, doneUntil: input.gte, pages: 0, rowsWritten: 0, bucketsWritten: 0, bucketsUnchanged: 0, newestEventAt: null, memory: NO_MEMORY };
    }
  };
}
