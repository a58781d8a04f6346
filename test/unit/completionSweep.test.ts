import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toChatCursor, restartPoints, type LegacyCompletionCursor } from "../../src/cursors/chatCursor";
import { canSplit, judgeItem, newSegment, readDownTo, recordDelivered, splitSegment, type Segment } from "../../src/cursors/completionSweep";
import { digest32, packDigests } from "../../src/cursors/digest";
import { emptyMemory, MemoryBook } from "../../src/cursors/lateMemory";

const point = (created: number, ...ids: string[]) => ({ created, ids: packDigests(ids.map(digest32)) });
const item = (id: string, created: number) => ({ id, created });

describe("completion segments", () => {
  it("a top segment takes everything from its floor up, then records where it got to", () => {
    const s = newSegment(100, null, null, null);
    assert.deepEqual([judgeItem(s, null, 500, "a"), judgeItem(s, null, 100, "b"), judgeItem(s, null, 99, "c")], ["new", "new", "floor"]);
    const p = recordDelivered(s.progress, [item("e", 200), item("d", 200), item("c", 180)], "c", 180);
    assert.deepEqual(p, { top: point(200, "e", "d"), low: point(180, "c"), after: "c", at: 180, tally: null });
    assert.equal(readDownTo({ ...s, progress: p }), 180);
  });

  it("a lower segment owns whole seconds: ties at its anchor's second are the segment above's", () => {
    const s = newSegment(100, 300, { id: "anchor", created: 300 }, null);
    assert.deepEqual(s.progress, { top: null, low: null, after: "anchor", at: 300, tally: null });
    assert.deepEqual([judgeItem(s, null, 300, "tie"), judgeItem(s, null, 299, "x"), judgeItem(s, null, 100, "y"), judgeItem(s, null, 99, "z")], ["outside", "new", "new", "floor"]);
  });

  it("after a restart from above, skips exactly what it delivered and takes what arrived since", () => {
    const s: Segment = { ...newSegment(0, null, null, null), progress: { top: point(300, "t1", "t2"), low: point(250, "l1"), after: null, at: null, tally: null } };
    assert.deepEqual([
      judgeItem(s, null, 400, "newer"), judgeItem(s, null, 300, "t1"), judgeItem(s, null, 300, "t3"), judgeItem(s, null, 280, "mid"),
      judgeItem(s, null, 250, "l1"), judgeItem(s, null, 250, "l2"), judgeItem(s, null, 200, "below"),
    ], ["new", "again", "new", "again", "again", "new", "new"]);
  });

  it("judges by the late memory: known ids are skipped, count-only minutes are counted, others are new", () => {
    const b = new MemoryBook({ since: 600, exactFrom: 720, tail: [2, 2], exact: "" });
    b.add(800, "seen");
    const s = newSegment(600, null, null, b.close());
    assert.deepEqual([judgeItem(s, b, 800, "seen"), judgeItem(s, b, 800, "late"), judgeItem(s, b, 700, "any"), judgeItem(s, b, 599, "old")], ["known", "new", "tail", "floor"]);
  });

  it("an anchor splits the unread part of a segment into two that own disjoint seconds, each with its memory", () => {
    const memory = new MemoryBook(emptyMemory(100));
    memory.add(150, "m1");
    memory.add(250, "m2");
    const top: Segment = { ...newSegment(100, null, null, memory.close()), progress: { top: point(900, "n"), low: point(400, "o"), after: "o", at: 400, tally: null } };
    assert.deepEqual([canSplit(top, item("a", 400)), canSplit(top, item("a", 100)), canSplit(top, item("a", 200))], [false, false, true]);
    const { upper, lower } = splitSegment(top, item("a", 200));
    assert.deepEqual([upper.lo, upper.hi, upper.progress, lower.lo, lower.hi, lower.start, lower.progress.after], [200, null, top.progress, 100, 200, item("a", 200), "a"]);
    const [u, l] = [new MemoryBook(upper.memory!), new MemoryBook(lower.memory!)];
    assert.deepEqual([u.has(250, "m2"), u.has(150, "m1"), l.has(150, "m1"), l.has(250, "m2")], [true, false, true, false]);
    assert.throws(() => splitSegment(top, item("b", 500)), /cannot split/);
  });

  it("a segment whose after died reads again from the anchors above it, nearest first", () => {
    const segments = [newSegment(300, null, null, null), newSegment(200, 300, item("a3", 300), null), newSegment(100, 200, item("a2", 200), null), newSegment(0, 100, item("a1", 100), null)];
    assert.deepEqual([restartPoints(segments, 0), restartPoints(segments, 1), restartPoints(segments, 3)], [[], [], [item("a2", 200), item("a3", 300)]]);
  });
});

describe("chat cursor migration", () => {
  it("a version-1 cursor at rest keeps its watermark as the floor, remembering its ids", () => {
    const legacy: LegacyCompletionCursor = { watermark: { created: 500, ids: ["w1", "w2"] }, startTime: 100, sweep: null };
    const c = toChatCursor(legacy, 100, 9_999);
    const b = new MemoryBook(c.memory!);
    assert.deepEqual([c.v, c.startTime, c.newest, c.pass, c.memory!.since, b.has(500, "w1"), b.has(500, "w2"), b.exactCount], [2, 100, 500, null, 500, true, true, 2]);
  });

  it("a version-1 sweep in progress continues as the top segment and remembers from its newest second", () => {
    const legacy: LegacyCompletionCursor = { watermark: { created: 500, ids: ["w"] }, startTime: 100, sweep: { top: { created: 900, ids: ["t"] }, low: { created: 700, ids: ["l"] }, after: "l" } };
    const c = toChatCursor(legacy, 100, 9_999);
    const s = c.pass!.segments[0]!;
    const b = new MemoryBook(s.memory!);
    assert.deepEqual([c.pass!.floor, c.pass!.rememberSince, c.pass!.startedAt, c.pass!.lateAtOrBelow, s.lo, s.hi, s.progress], [500, 900, 9_999, 500, 500, null, { top: point(900, "t"), low: point(700, "l"), after: "l", at: null, tally: null }]);
    assert.deepEqual([b.has(500, "w"), b.has(900, "t"), judgeItem(s, b, 800, "mid"), judgeItem(s, b, 600, "next")], [true, true, "again", "new"]);
  });
});
