import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { auditCaughtUp, foldAudit, initialAuditCursor, planAudit, type AuditTaskResult } from "../../orchestrators/planAudit";
import type { AuditCursor, RuntimeSettings } from "../../orchestrators/state";

// Late window: overlap 900 s, capped at 3,600 s.
const settings: RuntimeSettings = { parallelism: 3, maxPagesPerActivity: 5, chatPagesPerActivity: 5, lagSeconds: 60, overlapSeconds: 900 };
const cursorOf = (c: Partial<AuditCursor>): AuditCursor => ({ origin: 0, watermark: 0, frontier: 0, inFlight: [], sliceSeconds: 1000, late: null, lateSweptAt: null, recent: [], ...c });
const ok = (done: boolean, pages = 2, after: string | null = null, recent: string[] = [], rows = pages * 100): AuditTaskResult => ({ ok: true, cursorInvalid: false, done, after, pages, rows, recent });
const failed = (after: string | null, pages = 1): AuditTaskResult => ({ ok: false, cursorInvalid: false, done: false, after, pages, rows: pages * 100, recent: [] });
const shape = (tasks: ReturnType<typeof planAudit>) => tasks.map((t) => [t.slice.gte, t.slice.lt, t.slice.after, t.fresh, t.late ?? false, t.skip ?? null, t.recentSince]);

describe("planAudit", () => {
  it("cuts new slices from the frontier up to now − lag, at most `parallelism`", () => {
    assert.deepEqual(shape(planAudit(cursorOf({}), 10_000, settings)), [
      [0, 1000, null, true, false, null, 9_100], [1000, 2000, null, true, false, null, 9_100], [2000, 3000, null, true, false, null, 9_100]]);
    assert.deepEqual(shape(planAudit(cursorOf({}), 1_500, settings)).map((t) => t.slice(0, 2)), [[0, 1000], [1000, 1440]]);
  });

  it("continues slices in flight first, keeping their cursors", () => {
    const cursor = cursorOf({ frontier: 2000, inFlight: [{ gte: 0, lt: 1000, after: "a9" }] });
    assert.deepEqual(shape(planAudit(cursor, 10_000, settings)).map((t) => t.slice(0, 4)), [[0, 1000, "a9", false], [2000, 3000, null, true], [3000, 4000, null, true]]);
  });

  it("when caught up, adds a late sweep over the overlap window that skips what was delivered", () => {
    const cursor = cursorOf({ watermark: 9_940, frontier: 9_940, recent: ["9000:aaa", "9500:bbb", "8000:old"] });
    assert.deepEqual(shape(planAudit(cursor, 10_100, settings)), [[9_940, 10_040, null, true, false, null, 9_200], [9_200, 9_940, null, false, true, ["bbb"], 9_200]]);
  });

  it("leaves less than a minute before the horizon for the next poll, sweeping the late window instead", () => {
    const cursor = cursorOf({ watermark: 5_000, frontier: 5_000, sliceSeconds: 3600 });
    assert.deepEqual(shape(planAudit(cursor, 5_119, settings)).map((t) => t.slice(0, 5)), [[4_219, 5_000, null, false, true]]);
    assert.deepEqual(shape(planAudit(cursor, 5_120, settings)).map((t) => t.slice(0, 5)), [[5_000, 5_060, null, true, false], [4_220, 5_000, null, false, true]]);
  });

  it("anchors the late window on the last completed late sweep, so a delay never opens a gap, within a cap", () => {
    assert.deepEqual(shape(planAudit(cursorOf({ watermark: 12_000, frontier: 12_000, lateSweptAt: 11_500 }), 12_100, settings)).map((t) => t.slice(0, 2)), [[10_600, 12_000]]);
    assert.deepEqual(shape(planAudit(cursorOf({ watermark: 12_000, frontier: 12_000, lateSweptAt: 9_000 }), 12_100, settings)).map((t) => t.slice(0, 2)), [[8_500, 12_000]]);
  });

  it("plans nothing while the frontier is at the horizon and the late window is empty", () => {
    assert.deepEqual(planAudit(cursorOf({ sliceSeconds: 60 }), 60, settings), []);
  });
});

describe("foldAudit", () => {
  it("moves the watermark only past slices that were fully delivered", () => {
    const tasks = planAudit(cursorOf({}), 10_000, settings);
    assert.deepEqual(foldAudit(cursorOf({}), tasks, [ok(true), ok(false, 5, "b5"), ok(true)], 10_000, 10_000, settings),
      cursorOf({ watermark: 1000, frontier: 3000, inFlight: [{ gte: 1000, lt: 2000, after: "b5" }], sliceSeconds: 500 }));
  });

  it("keeps a failed slice's delivered progress, and restarts a slice whose cursor became invalid", () => {
    const tasks = planAudit(cursorOf({}), 10_000, settings);
    const invalid: AuditTaskResult = { ok: false, cursorInvalid: true, done: false, after: "x", pages: 0, rows: 0, recent: [] };
    assert.deepEqual(foldAudit(cursorOf({}), tasks, [failed("a1"), invalid, ok(true, 1)], 10_000, 10_000, settings),
      // The drained slice held 100 rows in 1,000 s; 5 pages × 100 × 0.8 = 400 rows wants 4,000 s.
      cursorOf({ frontier: 3000, inFlight: [{ gte: 0, lt: 1000, after: "a1" }, { gte: 1000, lt: 2000, after: null }], sliceSeconds: 4000 }));
  });

  it("sizes new slices from the density just seen, at most 8× per step, within a minute and a day", () => {
    const cursor = cursorOf({ sliceSeconds: 1000 });
    const sized = (rows: number[]) => foldAudit(cursor, planAudit(cursor, 10_000, settings), rows.map((r) => ok(true, Math.ceil(r / 100), null, [], r)), 10_000, 10_000, settings).sliceSeconds;
    // 3 slices of 1,000 s; target 400 rows per slice.
    assert.deepEqual([sized([400, 400, 400]), sized([1200, 1200, 1200]), sized([100, 50, 0]), sized([0, 0, 0]), sized([40_000, 40_000, 40_000])], [1000, 333, 8000, 8000, 125]);
  });

  it("widens slices over sparse data up to a day and narrows them over dense data down to a minute", () => {
    const sparse = cursorOf({ sliceSeconds: 60_000 });
    assert.equal(foldAudit(sparse, planAudit(sparse, 1_000_000, settings), [ok(true, 1), ok(true, 1), ok(true, 0)], 1_000_000, 1_000_000, settings).sliceSeconds, 86_400);
    const dense = cursorOf({ sliceSeconds: 100 });
    assert.equal(foldAudit(dense, planAudit(dense, 1_000_000, settings).slice(0, 1), [ok(false, 5, "z")], 1_000_000, 1_000_000, settings).sliceSeconds, 60);
  });

  it("a completed late sweep records when it started, merges what it found, and prunes what no sweep can meet again", () => {
    const cursor = cursorOf({ watermark: 9_940, frontier: 9_940, recent: ["9000:aaa", "9500:bbb"] });
    const tasks = planAudit(cursor, 10_100, settings);
    const next = foldAudit(cursor, tasks, [ok(true, 1, null, ["10000:new"], 100), ok(true, 1, null, ["9300:late"])], 10_100, 10_130, settings);
    assert.deepEqual(next, cursorOf({ watermark: 10_040, frontier: 10_040, sliceSeconds: 400, lateSweptAt: 10_100, recent: ["9500:bbb", "10000:new", "9300:late"] }));
    assert.deepEqual([auditCaughtUp(next, 10_100, settings), auditCaughtUp(next, 10_159, settings), auditCaughtUp(next, 10_160, settings)], [true, true, false]);
  });

  it("an unfinished late sweep resumes where it stopped and keeps its start time; a throttled one holds the window open", () => {
    const cursor = cursorOf({ watermark: 9_940, frontier: 9_940, lateSweptAt: 9_000, recent: ["9500:bbb"] });
    const first = planAudit(cursor, 10_100, settings);
    assert.deepEqual(shape(first).map((t) => t.slice(0, 5)), [[9_940, 10_040, null, true, false], [8_100, 9_940, null, false, true]]);
    const unfinished = foldAudit(cursor, first, [ok(true, 1, null, [], 0), failed("l5")], 10_100, 10_100, settings);
    assert.deepEqual([unfinished.late, unfinished.lateSweptAt, unfinished.recent], [{ slice: { gte: 8_100, lt: 9_940, after: "l5" }, startedAt: 10_100 }, 9_000, ["9500:bbb"]]);
    const resumed = planAudit(unfinished, 11_000, settings);
    assert.deepEqual(shape(resumed).map((t) => t.slice(0, 6)), [[10_040, 10_940, null, true, false, null], [8_100, 9_940, "l5", false, true, ["bbb"]]]);
    const done = foldAudit(unfinished, resumed, [ok(true, 1), ok(true, 2)], 11_000, 11_000, settings);
    assert.deepEqual([done.late, done.lateSweptAt], [null, 10_100]);
  });

  it("keeps a first late sweep going while time moves on, remembering what it may still meet", () => {
    // No late sweep has completed yet, so the window follows the clock; the one in progress must not be dropped.
    const cursor = cursorOf({ watermark: 9_940, frontier: 9_940, late: { slice: { gte: 9_000, lt: 9_940, after: "p5" }, startedAt: 9_950 }, recent: ["9100:aaa", "8000:old"] });
    assert.deepEqual(shape(planAudit(cursor, 10_500, settings)).map((t) => t.slice(0, 6)).at(-1), [9_000, 9_940, "p5", false, true, ["aaa"]]);
    const next = foldAudit(cursor, planAudit(cursor, 10_500, settings), [ok(true, 1, null, [], 0), ok(false, 5, "p10")], 10_500, 10_500, settings);
    assert.deepEqual([next.late, next.recent], [{ slice: { gte: 9_000, lt: 9_940, after: "p10" }, startedAt: 9_950 }, ["9100:aaa"]]);
  });

  it("drops a late sweep that would reach beyond the capped window", () => {
    const cursor = cursorOf({ watermark: 9_940, frontier: 9_940, late: { slice: { gte: 5_000, lt: 9_940, after: "x" }, startedAt: 9_950 }, lateSweptAt: 6_000 });
    assert.deepEqual(shape(planAudit(cursor, 10_000, settings)).map((t) => t.slice(0, 5)), [[6_400, 9_940, null, false, true]]);
  });

  it("refuses to move the watermark backwards", () => {
    const cursor = cursorOf({ watermark: 500, frontier: 500 });
    assert.throws(() => foldAudit(cursor, [{ slice: { gte: 100, lt: 200, after: null }, fresh: false, recentSince: 0 }], [failed(null)], 10_000, 10_000, settings), /backwards/);
  });
});

describe("initialAuditCursor", () => {
  it("starts everything at the start time", () => {
    assert.deepEqual(initialAuditCursor(1234), cursorOf({ origin: 1234, watermark: 1234, frontier: 1234, sliceSeconds: 3600 }));
  });
  it("cuts a new collector's backlog into about four slices per fan-out slot, between an hour and a day", () => {
    const day = 86_400;
    assert.deepEqual([initialAuditCursor(0, 30 * day + 60, settings).sliceSeconds, initialAuditCursor(0, day + 60, settings).sliceSeconds, initialAuditCursor(0, 3_000, settings).sliceSeconds],
      [day, 7_200, 3_600]);
  });
});
