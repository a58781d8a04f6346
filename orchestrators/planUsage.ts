/**
 * Usage and costs work planning and folding. Pure: the orchestrator calls these with the cursor
 * and the orchestration clock.
 *
 * Each series (a usage family, or costs) is walked in whole time buckets. A bucket is read first
 * once it has settled (`settleSeconds` after its end, src/usage/series.ts); the backlog since the
 * watermark is cut into bucket-aligned slices drained in parallel, and the watermark passes only
 * buckets whose page was delivered. Settled buckets are then re-read once per poll while they are
 * younger than the revision window: a bucket whose digest changed is written again as a new
 * snapshot, an unchanged one is not (the digests of those buckets are the cursor's memory).
 */
import { merge, NO_MEMORY, type BucketMemory } from "../src/usage/bucketMemory";
import { BUCKET_SECONDS, pageLimit, settlePolicy, type BucketWidth, type SeriesName } from "../src/usage/series";
import type { RuntimeSettings } from "./state";

/** A bucket-aligned range of bucket starts [gte, lt), Unix seconds. */
export interface BucketSlice {
  readonly gte: number;
  readonly lt: number;
}

/** The cursor of one series. Every bucket in [origin, watermark) was delivered at least once. */
export interface SeriesCursor {
  readonly series: SeriesName;
  /** Start of the first bucket ever read: the collector's start time, rounded down to a bucket. */
  readonly origin: number;
  /** Every bucket starting before this was delivered (first reading). */
  readonly watermark: number;
  /** End of the furthest slice ever planned. */
  readonly frontier: number;
  /** Planned slices not yet fully delivered; `gte` moves up as their pages are delivered. */
  readonly inFlight: readonly BucketSlice[];
  /** The re-read of settled buckets in progress, null when none is. */
  readonly revision: BucketSlice | null;
  /** When the last finished re-read was planned (Unix s); null before the first. */
  readonly revisedAt: number | null;
  /** Digests of delivered buckets inside the revision window. */
  readonly memory: BucketMemory;
}

/** The cursor of a usage or costs collector: one series per family (or just costs), one width. */
export interface UsageCursor {
  readonly bucketWidth: BucketWidth;
  readonly series: readonly SeriesCursor[];
}

/** One activity call to plan. */
export interface UsageTask {
  readonly series: SeriesName;
  readonly slice: BucketSlice;
  /** A re-read of delivered buckets: only changed ones are written again. */
  readonly revision: boolean;
  /** A slice newly cut from the frontier. */
  readonly fresh: boolean;
  /** Digests of the slice's buckets as last delivered (re-reads only). */
  readonly known?: BucketMemory;
  /** The activity reports the digests of delivered buckets starting at or after this. */
  readonly rememberFrom: number;
}

/** What a usage activity reported (the parts the fold needs). */
export interface UsageTaskResult {
  readonly ok: boolean;
  /** True when every bucket of the slice was delivered. */
  readonly done: boolean;
  /** Every bucket of the slice starting before this was delivered. */
  readonly doneUntil: number;
  /** Digests of the buckets delivered at or after `rememberFrom`. */
  readonly memory: BucketMemory;
}

function alignDown(seconds: number, width: number): number {
  return Math.floor(seconds / width) * width;
}

/** End of the newest settled bucket: every bucket ending at or before it may be read. */
export function settledEnd(series: SeriesName, width: number, nowSeconds: number): number {
  return alignDown(nowSeconds - settlePolicy(series).settleSeconds, width);
}

/**
 * Start of the oldest bucket still re-read: inside the revision window, and at most
 * `maxRevisionBuckets` before the newest settled bucket (which bounds the memory in every case).
 */
export function revisionFloor(series: SeriesName, width: number, nowSeconds: number): number {
  const policy = settlePolicy(series);
  return Math.max(alignDown(nowSeconds - policy.revisionSeconds, width), settledEnd(series, width, nowSeconds) - policy.maxRevisionBuckets * width);
}

/** The buckets a re-read covers now: delivered, and not older than {@link revisionFloor}. */
export function revisionRange(cursor: SeriesCursor, width: number, nowSeconds: number): BucketSlice {
  const lt = cursor.watermark;
  const gte = Math.max(cursor.origin, revisionFloor(cursor.series, width, nowSeconds));
  return { gte: Math.min(gte, lt), lt };
}

/** A new series starting at `startTime` (Unix s). */
export function initialSeries(series: SeriesName, startTime: number, width: number): SeriesCursor {
  const origin = alignDown(startTime, width);
  return { series, origin, watermark: origin, frontier: origin, inFlight: [], revision: null, revisedAt: null, memory: NO_MEMORY };
}

/**
 * The cursor for the series a definition asks for: existing series keep their progress, new ones
 * start at `startTime`, series no longer asked for are dropped. Order follows `wanted`.
 */
export function reconcileSeries(cursor: UsageCursor | null | undefined, wanted: readonly SeriesName[], bucketWidth: BucketWidth, startTime: number): UsageCursor {
  const width = cursor?.bucketWidth ?? bucketWidth;
  const existing = new Map((cursor?.series ?? []).map((s) => [s.series, s]));
  return { bucketWidth: width, series: wanted.map((name) => existing.get(name) ?? initialSeries(name, startTime, BUCKET_SECONDS[width])) };
}

function revisionDue(cursor: SeriesCursor, width: number, nowSeconds: number, pollIntervalSeconds: number): boolean {
  if (cursor.revisedAt !== null && nowSeconds - cursor.revisedAt < pollIntervalSeconds) return false;
  const range = revisionRange(cursor, width, nowSeconds);
  return range.gte < range.lt;
}

/**
 * The tasks of one generation, at most `settings.parallelism`: slices in flight first (oldest
 * first), then new slices cut from the series furthest behind, then re-reads in progress or due.
 * A backlog is cut so that together the series fill the fan-out, each slice at most
 * `maxPagesPerActivity` full pages.
 */
export function planUsage(cursor: UsageCursor, nowSeconds: number, settings: RuntimeSettings, pollIntervalSeconds: number): UsageTask[] {
  const width = BUCKET_SECONDS[cursor.bucketWidth];
  const slots = settings.parallelism;
  const rememberFrom = (s: SeriesCursor) => revisionFloor(s.series, width, nowSeconds);
  const tasks: UsageTask[] = cursor.series
    .flatMap((s) => s.inFlight.map((slice) => ({ series: s.series, slice, revision: false, fresh: false, rememberFrom: rememberFrom(s) })))
    .sort((a, b) => a.slice.gte - b.slice.gte)
    .slice(0, slots);

  const frontiers = new Map(cursor.series.map((s) => [s.series, s.frontier]));
  const backlog = (s: SeriesCursor) => settledEnd(s.series, width, nowSeconds) - frontiers.get(s.series)!;
  const behind = cursor.series.filter((s) => backlog(s) >= width);
  const slicesPerSeries = Math.max(1, Math.ceil(slots / Math.max(1, behind.length)));
  const sliceBuckets = new Map(behind.map((s) => {
    const limit = pageLimit(s.series, cursor.bucketWidth);
    const pages = Math.min(settings.maxPagesPerActivity, Math.max(1, Math.ceil(backlog(s) / width / slicesPerSeries / limit)));
    return [s.series, pages * limit];
  }));
  while (tasks.length < slots) {
    const next = behind.filter((s) => backlog(s) >= width).sort((a, b) => frontiers.get(a.series)! - frontiers.get(b.series)!)[0];
    if (!next) break;
    const gte = frontiers.get(next.series)!;
    const lt = Math.min(gte + sliceBuckets.get(next.series)! * width, settledEnd(next.series, width, nowSeconds));
    tasks.push({ series: next.series, slice: { gte, lt }, revision: false, fresh: true, rememberFrom: rememberFrom(next) });
    frontiers.set(next.series, lt);
  }

  for (const s of cursor.series) {
    if (tasks.length >= slots) break;
    const caughtUp = s.inFlight.length === 0 && backlog(s) < width;
    // A re-read held up (by throttling, an outage) skips what fell out of the window meanwhile: its digests are gone.
    const resumed = s.revision ? { gte: Math.max(s.revision.gte, rememberFrom(s)), lt: s.revision.lt } : null;
    const slice = resumed && resumed.gte < resumed.lt ? resumed
      : caughtUp && revisionDue(s, width, nowSeconds, pollIntervalSeconds) ? revisionRange(s, width, nowSeconds) : null;
    if (slice) tasks.push({ series: s.series, slice, revision: true, fresh: false, known: merge(s.memory, NO_MEMORY, width, slice.gte, slice.lt), rememberFrom: rememberFrom(s) });
  }
  return tasks;
}

/**
 * The cursor after a generation's results (same order as the tasks; `plannedAt` is when they were
 * planned, `nowSeconds` when they ended). Throws if a watermark would move backwards: that is a
 * bug, and failing loudly beats silently re-ingesting.
 */
export function foldUsage(cursor: UsageCursor, tasks: readonly UsageTask[], results: readonly UsageTaskResult[], plannedAt: number, nowSeconds: number): UsageCursor {
  const width = BUCKET_SECONDS[cursor.bucketWidth];
  const series = cursor.series.map((s): SeriesCursor => {
    const mine = tasks.map((task, i) => ({ task, result: results[i]! })).filter(({ task }) => task.series === s.series);
    const planned = new Set(mine.filter(({ task }) => !task.fresh && !task.revision).map(({ task }) => task.slice.gte));
    const inFlight: BucketSlice[] = s.inFlight.filter((slice) => !planned.has(slice.gte));
    let { frontier, revision, revisedAt, memory } = s;
    const keepFrom = revisionFloor(s.series, width, nowSeconds);
    for (const { task, result } of mine) {
      if (result.doneUntil < task.slice.gte || result.doneUntil > task.slice.lt) throw new Error(`${s.series}: doneUntil ${result.doneUntil} outside the slice [${task.slice.gte}, ${task.slice.lt})`);
      if (task.fresh) frontier = Math.max(frontier, task.slice.lt);
      const rest: BucketSlice | null = result.done ? null : { gte: result.doneUntil, lt: task.slice.lt };
      if (task.revision) {
        revision = rest;
        if (rest === null && result.ok) revisedAt = plannedAt;
      } else if (rest !== null && rest.gte < rest.lt) {
        inFlight.push(rest);
      }
    }
    // Digests are kept for delivered buckets from the revision floor on; the floor only rises.
    for (const { result } of mine) memory = merge(memory, result.memory, width, keepFrom, Math.max(keepFrom, frontier));
    inFlight.sort((a, b) => a.gte - b.gte);
    const watermark = inFlight[0]?.gte ?? frontier;
    if (watermark < s.watermark) throw new Error(`${s.series}: usage watermark would move backwards from ${s.watermark} to ${watermark}`);
    return { ...s, watermark, frontier, inFlight, revision, revisedAt, memory: merge(memory, NO_MEMORY, width, keepFrom, Math.max(keepFrom, frontier)) };
  });
  return { bucketWidth: cursor.bucketWidth, series };
}

/** True when no series has work left before the next poll: nothing in flight, no settled backlog, no re-read due. */
export function usageCaughtUp(cursor: UsageCursor, nowSeconds: number, pollIntervalSeconds: number): boolean {
  const width = BUCKET_SECONDS[cursor.bucketWidth];
  return cursor.series.every((s) => s.inFlight.length === 0 && s.revision === null
    && settledEnd(s.series, width, nowSeconds) - s.frontier < width && !revisionDue(s, width, nowSeconds, pollIntervalSeconds));
}

/** A short summary of the cursor for status: the oldest watermark, slices in flight, re-reads running. */
export function usageCursorSummary(cursor: UsageCursor): Record<string, unknown> {
  const iso = (s: number) => new Date(s * 1000).toISOString();
  const oldest = Math.min(...cursor.series.map((s) => s.watermark));
  return {
    bucketWidth: cursor.bucketWidth,
    series: cursor.series.map((s) => s.series),
    watermark: Number.isFinite(oldest) ? iso(oldest) : null,
    slicesInFlight: cursor.series.reduce((n, s) => n + s.inFlight.length, 0),
    revising: cursor.series.filter((s) => s.revision !== null).length,
  };
}
