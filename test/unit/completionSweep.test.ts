import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { finishSweep, initialCursor, judgeItem, recordDelivered, type CompletionCursor } from "../../src/cursors/completionSweep";

const item = (id: string, created: number) => ({ id, created });

describe("completion sweep cursor", () => {
  it("a first sweep takes everything since startTime, then its top becomes the watermark", () => {
    let cursor = initialCursor(100);
    assert.deepEqual([judgeItem(cursor, 150, "a"), judgeItem(cursor, 100, "b"), judgeItem(cursor, 99, "c")], ["new", "new", "floor"]);
    cursor = recordDelivered(cursor, [item("e", 200), item("d", 200), item("c", 180)], "c");
    assert.deepEqual(cursor, { watermark: null, startTime: 100, sweep: { top: { created: 200, ids: ["e", "d"] }, low: { created: 180, ids: ["c"] }, after: "c" } });
    cursor = recordDelivered(cursor, [item("b", 180), item("a", 150)], null);
    assert.deepEqual(cursor.sweep, { top: { created: 200, ids: ["e", "d"] }, low: { created: 150, ids: ["a"] }, after: null });
    assert.deepEqual(finishSweep(cursor), { watermark: { created: 200, ids: ["e", "d"] }, startTime: 100, sweep: null });
  });

  it("ties at the watermark second: known ids are skipped, new ones taken, only older items end the sweep", () => {
    const cursor: CompletionCursor = { watermark: { created: 200, ids: ["e", "d"] }, startTime: 0, sweep: null };
    assert.deepEqual([judgeItem(cursor, 201, "f"), judgeItem(cursor, 200, "e"), judgeItem(cursor, 200, "late"), judgeItem(cursor, 199, "x")], ["new", "skip", "new", "floor"]);
    const next = finishSweep(recordDelivered(cursor, [item("late", 200)], null));
    assert.deepEqual(next.watermark, { created: 200, ids: ["e", "d", "late"] });
  });

  it("a sweep restarted from the top skips exactly what it covered, and takes what arrived since", () => {
    const cursor: CompletionCursor = { watermark: { created: 100, ids: ["w"] }, startTime: 0, sweep: { top: { created: 300, ids: ["t1", "t2"] }, low: { created: 250, ids: ["l1"] }, after: null } };
    assert.deepEqual([
      judgeItem(cursor, 400, "newer"), judgeItem(cursor, 300, "t1"), judgeItem(cursor, 300, "t3"), judgeItem(cursor, 280, "mid"),
      judgeItem(cursor, 250, "l1"), judgeItem(cursor, 250, "l2"), judgeItem(cursor, 200, "below"), judgeItem(cursor, 100, "w"), judgeItem(cursor, 100, "w2"), judgeItem(cursor, 50, "old"),
    ], ["new", "skip", "new", "skip", "skip", "new", "new", "skip", "new", "floor"]);
    const next = recordDelivered(cursor, [item("newer", 400), item("t3", 300)], "t3");
    assert.deepEqual(next.sweep, { top: { created: 400, ids: ["newer"] }, low: { created: 250, ids: ["l1"] }, after: "t3" });
  });

  it("a page of nothing but delivered ties still moves the sweep on", () => {
    const cursor: CompletionCursor = { watermark: { created: 200, ids: ["a", "b"] }, startTime: 0, sweep: null };
    assert.deepEqual([judgeItem(cursor, 200, "a"), judgeItem(cursor, 200, "b")], ["skip", "skip"]);
    const next = recordDelivered(cursor, [], "b");
    assert.deepEqual(next.sweep, { top: null, low: null, after: "b" });
    assert.equal(judgeItem(next, 200, "c"), "new");
    assert.deepEqual(finishSweep(recordDelivered(next, [item("c", 200)], null)).watermark, { created: 200, ids: ["a", "b", "c"] });
  });

  it("a sweep that found nothing leaves the watermark alone; a watermark never moves backwards", () => {
    const cursor: CompletionCursor = { watermark: { created: 200, ids: ["a"] }, startTime: 0, sweep: null };
    assert.deepEqual(finishSweep(recordDelivered(cursor, [], null)), cursor);
    assert.throws(() => finishSweep({ ...cursor, sweep: { top: { created: 150, ids: ["z"] }, low: { created: 150, ids: ["z"] }, after: null } }), /backwards/);
  });
});
