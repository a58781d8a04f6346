/** Usage planning and folding: parallel bucket slices, settled ends, re-reads once per poll, memory bounds, a watermark that never moves back. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { foldUsage, initialSeries, planUsage, reconcileSeries, revisionFloor, usageCaughtUp, type UsageCursor, type UsageTaskResult } from "../../orchestrators/planUsage";
import type { RuntimeSettings } from "../../orchestrators/state";
import { recall, remember, NO_MEMORY } from "../../src/usage/bucketMemory";

const H = 3_600;
const T = 1_795_608_000; // 2026-11-25T12:00:00Z, on the hour
const settings: RuntimeSettings = { parallelism: 4, maxPagesPerActivity: 10, chatPagesPerActivity: 10, lagSeconds: 60, overlapSeconds: 1_800 };
const POLL = 300;
const digest = (n: number) => `dig${String(n).padStart(5, "0")}`;

describe("usage planning", () => {
  const fresh = reconcileSeries(null, ["completions", "embeddings"], "1h", T - 30 * 86_400 + 1_234);

  it("starts each series at the start time's bucket, and keeps series across changes while dropping those no longer asked for", () => {
    assert.deepEqual(fresh, { bucketWidth: "1h", series: [initialSeries("completions", T - 720 * H, H), initialSeries("embeddings", T - 720 * H, H)] });
    const moved = { ...fresh, series: [{ ...fresh.series[0]!, watermark: T - 10 * H, frontier: T - 10 * H }, fresh.series[1]!] };
    assert.deepEqual(reconcileSeries(moved, ["images", "completions"], "1d", T), { bucketWidth: "1h", series: [initialSeries("images", T, H), moved.series[0]] });
  });

  it("cuts the settled backlog into slices of whole pages that together fill the fan-out", () => {
    // 15 minutes to settle: at T + 1000 s the hour ending at T is the newest settled one.
    const tasks = planUsage(fresh, T + 1_000, settings, POLL);
    const floor = T - 24 * H;
    assert.deepEqual(tasks, [
      { series: "completions", slice: { gte: T - 720 * H, lt: T - 216 * H }, revision: false, fresh: true, rememberFrom: floor },
      { series: "embeddings", slice: { gte: T - 720 * H, lt: T - 216 * H }, revision: false, fresh: true, rememberFrom: floor },
      { series: "completions", slice: { gte: T - 216 * H, lt: T }, revision: false, fresh: true, rememberFrom: floor },
      { series: "embeddings", slice: { gte: T - 216 * H, lt: T }, revision: false, fresh: true, rememberFrom: floor },
    ]);
    assert.deepEqual(planUsage(fresh, T + 899, settings, POLL).map((t) => t.slice.lt), [T - 216 * H, T - 216 * H, T - H, T - H]);
  });

  it("folds progress: done slices pass the watermark, a partial one resumes where delivery stopped, a failed one stays", () => {
    const tasks = planUsage(fresh, T + 1_000, settings, POLL);
    const memory = remember(new Map([[T - 3 * H, digest(1)], [T - 2 * H, digest(2)], [T - 30 * H, digest(9)]]), H, T - 30 * H, T);
    const results: UsageTaskResult[] = [
      { ok: true, done: true, doneUntil: T - 216 * H, memory: NO_MEMORY },
      { ok: true, done: false, doneUntil: T - 384 * H, memory: NO_MEMORY },
      { ok: true, done: true, doneUntil: T, memory },
      { ok: false, done: false, doneUntil: T - 216 * H, memory: NO_MEMORY },
    ];
    const next = foldUsage(fresh, tasks, results, T + 1_000, T + 1_060);
    assert.deepEqual(next.series.map((s) => [s.series, s.watermark, s.frontier, s.inFlight, [...recall(s.memory, H)]]), [
      ["completions", T, T, [], [[T - 3 * H, digest(1)], [T - 2 * H, digest(2)]]],
      ["embeddings", T - 384 * H, T, [{ gte: T - 384 * H, lt: T - 216 * H }, { gte: T - 216 * H, lt: T }], []],
    ]);
    assert.deepEqual(planUsage(next, T + 1_100, settings, POLL).map((t) => [t.series, t.slice, t.revision]), [
      ["embeddings", { gte: T - 384 * H, lt: T - 216 * H }, false],
      ["embeddings", { gte: T - 216 * H, lt: T }, false],
      ["completions", { gte: T - 24 * H, lt: T }, true],
    ]);
  });

  const caughtUp = (revisedAt: number | null): UsageCursor => ({
    bucketWidth: "1h",
    series: [{ ...initialSeries("completions", T - 720 * H, H), watermark: T, frontier: T, revisedAt, memory: remember(new Map([[T - 2 * H, digest(2)], [T - H, digest(3)]]), H, T - 2 * H, T) }],
  });

  it("re-reads the settled buckets of the last day once per poll, with what it remembers of them", () => {
    assert.deepEqual(planUsage(caughtUp(null), T + 1_000, settings, POLL), [{
      series: "completions", slice: { gte: T - 24 * H, lt: T }, revision: true, fresh: false, rememberFrom: T - 24 * H, known: { from: T - 2 * H, digests: digest(2) + digest(3) },
    }]);
    assert.deepEqual([planUsage(caughtUp(T + 800), T + 1_000, settings, POLL), usageCaughtUp(caughtUp(T + 800), T + 1_000, POLL), usageCaughtUp(caughtUp(T + 600), T + 1_000, POLL)], [[], true, false]);
  });

  it("resumes a held-up re-read without the buckets that left the window meanwhile", () => {
    const held: UsageCursor = { ...caughtUp(null), series: [{ ...caughtUp(null).series[0]!, revision: { gte: T - 24 * H, lt: T } }] };
    assert.deepEqual(planUsage(held, T + 3 * H + 1_000, settings, POLL).map((t) => [t.slice, t.revision]), [
      [{ gte: T, lt: T + 3 * H }, false],
      [{ gte: T - 21 * H, lt: T }, true],
    ]);
  });

  it("keeps digests only inside the revision window and at most 60 buckets back, however long the backlog", () => {
    const minute = reconcileSeries(null, ["completions"], "1m", T - 3 * 86_400);
    const tasks = planUsage(minute, T, settings, POLL);
    const all = new Map<number, string>();
    for (let s = T - 3 * 86_400; s < T - 900; s += 60) all.set(s, digest(s % 99_999));
    const memory = remember(all, 60, T - 3 * 86_400, T - 900);
    const next = foldUsage(minute, tasks, tasks.map((t) => ({ ok: true, done: true, doneUntil: t.slice.lt, memory })), T, T);
    const kept = [...recall(next.series[0]!.memory, 60).keys()];
    assert.deepEqual([kept.length, kept[0], revisionFloor("completions", 60, T)], [60, T - 900 - 60 * 60, T - 900 - 60 * 60]);
  });

  it("refuses to move a watermark backwards", () => {
    const moved: UsageCursor = { ...fresh, series: [{ ...fresh.series[0]!, watermark: T - 10 * H, frontier: T - 10 * H, inFlight: [] }] };
    const task = { series: "completions" as const, slice: { gte: T - 20 * H, lt: T - 10 * H }, revision: false, fresh: false, rememberFrom: T };
    const bad: UsageCursor = { ...moved, series: [{ ...moved.series[0]!, inFlight: [task.slice] }] };
    assert.throws(() => foldUsage(bad, [task], [{ ok: true, done: false, doneUntil: T - 15 * H, memory: NO_MEMORY }], T, T), /watermark would move backwards/);
    assert.throws(() => foldUsage(bad, [task], [{ ok: true, done: false, doneUntil: T, memory: NO_MEMORY }], T, T), /outside the slice/);
  });
});

describe("bucket memory", () => {
  it("packs consecutive digests, marks gaps unknown, drops unknowns at the ends, and reads back what it packed", () => {
    const packed = remember(new Map([[T, digest(1)], [T + 2 * H, digest(3)]]), H, T - 2 * H, T + 5 * H);
    assert.deepEqual(packed, { from: T, digests: `${digest(1)}........${digest(3)}` });
    assert.deepEqual([...recall(packed, H)], [[T, digest(1)], [T + 2 * H, digest(3)]]);
    assert.deepEqual(remember(new Map(), H, T, T + H), NO_MEMORY);
    assert.throws(() => remember(new Map([[T, "short"]]), H, T, T + H), /not 8 characters/);
  });
});
