import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { auditCaughtUp, foldAudit, initialAuditCursor, planAudit, type AuditTaskResult } from "../../orchestrators/planAudit";
import type { AuditCursor, RuntimeSettings } from "../../orchestrators/state";

const settings: RuntimeSettings = { parallelism: 3, maxPagesPerActivity: 5, lagSeconds: 60, overlapSeconds: 900 };
const ok = (done: boolean, pages = 2, after: string | null = null, recent: string[] = []): AuditTaskResult => ({ ok: true, cursorInvalid: false, done, after, pages, recent });
const failed = (after: string | null, pages = 1): AuditTaskResult => ({ ok: false, cursorInvalid: false, done: false, after, pages, recent: [] });

describe("planAudit", () => {
  it("cuts new slices from the frontier up to now − lag, at most `parallelism`", () => {
    const cursor = initialAuditCursor(0);
    assert.deepEqual(planAudit({ ...cursor, sliceSeconds: 1000 }, 10_000, settings).map((t) => [t.slice.gte, t.slice.lt, t.slice.after, t.fresh]),
      [[0, 1000, null, true], [1000, 2000, null, true], [2000, 3000, null, true]]);
    assert.deepEqual(planAudit({ ...cursor, sliceSeconds: 1000 }, 1_500, settings).map((t) => [t.slice.gte, t.slice.lt]), [[0, 1000], [1000, 1440]]);
  });

  it("continues slices in flight first, keeping their cursors", () => {
    const cursor: AuditCursor = { origin: 0, watermark: 0, frontier: 2000, inFlight: [{ gte: 0, lt: 1000, after: "a9" }], sliceSeconds: 1000, recent: [] };
    assert.deepEqual(planAudit(cursor, 10_000, settings).map((t) => [t.slice.gte, t.slice.lt, t.slice.after, t.fresh]),
      [[0, 1000, "a9", false], [2000, 3000, null, true], [3000, 4000, null, true]]);
  });

  it("when caught up, adds a late sweep over the overlap window that skips what was delivered", () => {
    const cursor: AuditCursor = { origin: 0, watermark: 9_940, frontier: 9_940, inFlight: [], sliceSeconds: 1000, recent: ["9000:aaa", "9500:bbb", "8000:old"] };
    const tasks = planAudit(cursor, 10_100, settings);
    assert.deepEqual(tasks.map((t) => [t.slice.gte, t.slice.lt, t.fresh, t.skip ?? null, t.recentSince]),
      [[9_940, 10_040, true, null, 9_200], [9_200, 9_940, false, ["bbb"], 9_200]]);
  });

  it("leaves less than a minute before the horizon for the next poll, sweeping the late window instead", () => {
    const cursor: AuditCursor = { origin: 0, watermark: 5_000, frontier: 5_000, inFlight: [], sliceSeconds: 3600, recent: [] };
    assert.deepEqual(planAudit(cursor, 5_119, settings).map((t) => [t.slice.gte, t.slice.lt, t.fresh]), [[4_219, 5_000, false]]);
    assert.deepEqual(planAudit(cursor, 5_120, settings).map((t) => [t.slice.gte, t.slice.lt, t.fresh]), [[5_000, 5_060, true], [4_220, 5_000, false]]);
  });

  it("plans nothing new while the frontier is at the horizon and nothing is late-sweepable", () => {
    assert.deepEqual(planAudit({ origin: 0, watermark: 0, frontier: 0, inFlight: [], sliceSeconds: 60, recent: [] }, 60, settings), []);
  });
});

describe("foldAudit", () => {
  const start: AuditCursor = { origin: 0, watermark: 0, frontier: 0, inFlight: [], sliceSeconds: 1000, recent: [] };

  it("moves the watermark only past slices that were fully delivered", () => {
    const tasks = planAudit(start, 10_000, settings);
    const next = foldAudit(start, tasks, [ok(true), ok(false, 5, "b5"), ok(true)], 10_000, settings);
    assert.deepEqual(next, { origin: 0, watermark: 1000, frontier: 3000, inFlight: [{ gte: 1000, lt: 2000, after: "b5" }], sliceSeconds: 500, recent: [] });
  });

  it("keeps a failed slice's delivered progress, and restarts a slice whose cursor became invalid", () => {
    const tasks = planAudit(start, 10_000, settings);
    const invalid: AuditTaskResult = { ok: false, cursorInvalid: true, done: false, after: "x", pages: 0, recent: [] };
    const next = foldAudit(start, tasks, [failed("a1"), invalid, ok(true, 1)], 10_000, settings);
    assert.deepEqual(next, { origin: 0, watermark: 0, frontier: 3000, inFlight: [{ gte: 0, lt: 1000, after: "a1" }, { gte: 1000, lt: 2000, after: null }], sliceSeconds: 2000, recent: [] });
  });

  it("widens slices over sparse data up to a day and narrows them over dense data down to a minute", () => {
    let cursor: AuditCursor = { ...start, sliceSeconds: 60_000 };
    cursor = foldAudit(cursor, planAudit(cursor, 1_000_000, settings), [ok(true, 1), ok(true, 1), ok(true, 0)], 1_000_000, settings);
    assert.equal(cursor.sliceSeconds, 86_400);
    let dense: AuditCursor = { ...start, sliceSeconds: 100 };
    dense = foldAudit(dense, planAudit(dense, 1_000_000, settings).slice(0, 1), [ok(false, 5, "z")], 1_000_000, settings);
    assert.equal(dense.sliceSeconds, 60);
  });

  it("merges late-sweep results into recent without touching the watermark, and prunes old entries", () => {
    const cursor: AuditCursor = { origin: 0, watermark: 9_940, frontier: 9_940, inFlight: [], sliceSeconds: 1000, recent: ["9000:aaa", "9500:bbb"] };
    const tasks = planAudit(cursor, 10_100, settings);
    const next = foldAudit(cursor, tasks, [ok(true, 1, null, ["10000:new"]), ok(true, 1, null, ["9300:late"])], 10_100, settings);
    assert.deepEqual(next, { origin: 0, watermark: 10_040, frontier: 10_040, inFlight: [], sliceSeconds: 2000, recent: ["9500:bbb", "10000:new", "9300:late"] });
    assert.deepEqual([auditCaughtUp(next, 10_100, settings), auditCaughtUp(next, 10_159, settings), auditCaughtUp(next, 10_160, settings)], [true, true, false]);
  });

  it("refuses to move the watermark backwards", () => {
    const cursor: AuditCursor = { origin: 0, watermark: 500, frontier: 500, inFlight: [], sliceSeconds: 1000, recent: [] };
    assert.throws(() => foldAudit(cursor, [{ slice: { gte: 100, lt: 200, after: null }, fresh: false, recentSince: 0 }], [failed(null)], 10_000, settings), /backwards/);
  });
});
