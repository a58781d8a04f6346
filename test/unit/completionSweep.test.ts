import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { toChatCursor, restartPoints, type ChatCursorV2, type LegacyCompletionCursor } from "../../src/cursors/chatCursor";
import { canSplit, judgePage, newSegment, readDownTo, recordDelivered, splitSegment, type ListedItem, type PageJudgement, type Segment } from "../../src/cursors/completionSweep";
import { digest32, packDigests } from "../../src/cursors/digest";
import { emptyMemory, MemoryBook } from "../../src/cursors/lateMemory";

const point = (created: number, ...ids: string[]) => ({ created, ids: packDigests(ids.map(digest32)) });
const item = (id: string, created: number | null): ListedItem => ({ id, created });
const judge = (s: Segment, b: MemoryBook | null, items: ListedItem[], last = false, upTo?: number) => judgePage(s, b, items, { last, ...(upTo === undefined ? {} : { upTo }) });
/** Verdicts of single-item pages judged one by one against the same state. */
const each = (s: Segment, b: MemoryBook | null, ...items: ListedItem[]) => items.map((i) => judge(s, b, [i]).verdicts[0]);

/** A memory holding `ids` (created, id) with every second before `exactFrom` moved into buckets. */
function memoryWith(since: number, ids: Array<[number, string]>, budget: number): MemoryBook {
  const b = new MemoryBook(emptyMemory(since));
  for (const [created, id] of ids) b.add(created, id);
  b.fit(budget);
  return new MemoryBook(b.close());
}

/**
 * Reads `segment` over a listing (newest first) the way the activity does: pages of `pageSize`,
 * judged, delivered, remembered, continuing after the last judged item or from a rewind. Returns
 * how often each id was delivered and the memory after it.
 */
function readSegment(segment: Segment, book: MemoryBook, listing: readonly ListedItem[], pageSize: number, rememberSince: number) {
  const delivered = new Map<string, number>();
  let progress = segment.progress;
  let redelivered = 0, rewinds = 0;
  for (let guard = 0; guard < 10_000; guard++) {
    const start = progress.after === null ? 0 : listing.findIndex((x) => x.id === progress.after) + 1;
    const items = listing.slice(start, start + pageSize);
    const j: PageJudgement = judgePage({ ...segment, progress }, book, items, { last: start + pageSize >= listing.length });
    for (const s of j.resets) book.resetBucket(s);
    redelivered += j.redelivered;
    const fresh = items.filter((_, i) => j.verdicts[i] === "new");
    for (const c of fresh) {
      delivered.set(c.id, (delivered.get(c.id) ?? 0) + 1);
      if (c.created! >= rememberSince) book.add(c.created!, c.id);
    }
    if (j.rewind) rewinds++;
    const next = j.rewind ? j.rewind.after : items[j.verdicts.length - 1]?.id ?? progress.after;
    progress = recordDelivered(progress, fresh, j.done ? null : next, j.done ? null : j.rewind ? j.rewind.at : j.at, j);
    if (j.done) return { delivered, redelivered, rewinds, book };
  }
  throw new Error("the segment did not finish");
}

describe("completion segments", () => {
  it("a top segment takes everything from its floor up, then records where it got to", () => {
    const s = newSegment(100, null, null, null);
    assert.deepEqual(judge(s, null, [item("a", 500), item("b", 100), item("c", 99), item("d", 50)]), {
      verdicts: ["new", "new", "floor", "floor"], check: null, reread: null, at: 100, resets: [], redelivered: 0, identified: 0, rewind: null, done: true,
    });
    const p = recordDelivered(s.progress, [item("e", 200), item("d", 200), item("c", 180)], "c", 180);
    assert.deepEqual(p, { top: point(200, "e", "d"), low: point(180, "c"), after: "c", at: 180, check: null, reread: null });
    assert.equal(readDownTo({ ...s, progress: p }), 180);
  });

  it("a lower segment owns whole seconds: ties at its anchor's second are the segment above's", () => {
    const s = newSegment(100, 300, { id: "anchor", created: 300 }, null);
    assert.deepEqual(s.progress, { top: null, low: null, after: "anchor", at: 300, check: null, reread: null });
    assert.deepEqual(each(s, null, item("tie", 300), item("x", 299), item("y", 100), item("z", 99)), ["outside", "new", "new", "floor"]);
  });

  it("after a restart from above, skips exactly what it delivered and takes what arrived since", () => {
    const s: Segment = { ...newSegment(0, null, null, null), progress: { top: point(300, "t1", "t2"), low: point(250, "l1"), after: null, at: null, check: null, reread: null } };
    assert.deepEqual(each(s, null, item("newer", 400), item("t1", 300), item("t3", 300), item("mid", 280), item("l1", 250), item("l2", 250), item("below", 200)),
      ["new", "again", "new", "again", "again", "new", "new"]);
  });

  it("judges exact seconds of the late memory by digest: delivered ones are skipped, late ones taken", () => {
    const b = memoryWith(600, [[800, "seen"]], 10_000);
    const s = newSegment(600, null, null, b.close());
    assert.deepEqual(each(s, b, item("seen", 800), item("late", 800), item("elsewhere", 700), item("old", 599)), ["known", "new", "new", "floor"]);
  });

  it("skips a bucket whose page lists exactly what it holds, takes alone the one completion it lacks, and takes it whole when it lists anything else", () => {
    const ids: Array<[number, string]> = [[700, "a"], [701, "b"], [702, "c"], [900, "x"]];
    const b = memoryWith(600, ids, 60);
    const bucket = b.bucketAt(700)!;
    assert.ok(bucket.count === 3 && !b.bucketAt(900), JSON.stringify(b.close()));
    const s = newSegment(600, null, null, b.close());
    const base = { check: null, reread: null, at: 650, resets: [], redelivered: 0, identified: 0, rewind: null, done: false };
    const page = [item("x", 900), item("c", 702), item("b", 701), item("a", 700), item("below", 650)];
    assert.deepEqual(judge(s, b, page), { ...base, verdicts: ["known", "known", "known", "known", "new"] });
    // One late: the difference of the sums is its digest.
    const withLate = [item("x", 900), item("c", 702), item("late", 701), item("b", 701), item("a", 700), item("below", 650)];
    assert.deepEqual(judge(s, b, withLate), { ...base, verdicts: ["known", "known", "new", "known", "known", "new"], identified: 1 });
    // Two late and one deleted also list one more, but no listed digest is the difference: all again.
    const changed = [item("x", 900), item("late1", 702), item("c", 702), item("late2", 701), item("a", 700), item("below", 650)];
    assert.deepEqual(judge(s, b, changed), { ...base, verdicts: ["known", "new", "new", "new", "new", "new"], resets: [bucket.start], redelivered: 3 });
  });

  it("checks a bucket across pages; at its end, lists it again from where it began to take the one it lacks, or all of it", () => {
    const b = memoryWith(600, [[700, "a"], [701, "b"], [702, "c"], [900, "x"]], 60);
    const s = newSegment(600, null, null, b.close());
    const first = judge(s, b, [item("x", 900), item("c", 702), item("late", 701)]);
    assert.deepEqual([first.verdicts, first.check, first.reread, first.rewind], [["known", "known", "known"], { start: 700, end: 703, count: 2, sum: (digest32("c") + digest32("late")) >>> 0, from: { after: "x", at: 900 } }, null, null]);
    const onward = { ...s, progress: recordDelivered(s.progress, [], "late", 701, first) };
    const second = judge(onward, b, [item("b", 701), item("a", 700), item("below", 650)]);
    const only = { start: 700, end: 703, only: digest32("late"), found: 0, from: { after: "x", at: 900 } };
    assert.deepEqual([second.verdicts, second.reread, second.resets, second.redelivered, second.rewind], [["known", "known"], only, [], 0, { after: "x", at: 900 }]);
    const again = { ...s, progress: recordDelivered(onward.progress, [], "x", 900, second) };
    const reread = judge(again, b, [item("c", 702), item("late", 701), item("b", 701), item("a", 700), item("below", 650)]);
    assert.deepEqual([reread.verdicts, reread.identified, reread.rewind, reread.reread], [["known", "new", "known", "known", "new"], 1, null, null]);
    // The pinned-down digest is not listed (the sums meant something else): listed again, whole.
    const missed = judge(again, b, [item("c", 702), item("b", 701), item("a", 700), item("below", 650)]);
    assert.deepEqual([missed.verdicts, missed.rewind, missed.reread, missed.resets, missed.redelivered], [["known", "known", "known"], { after: "x", at: 900 }, { start: 700, end: 703 }, [700], 3]);
    // Unchanged across pages: skipped, and the check ends with the bucket.
    const sameFirst = judge(s, b, [item("x", 900), item("c", 702), item("b", 701)]);
    const same = judge({ ...s, progress: recordDelivered(s.progress, [], "b", 701, sameFirst) }, b, [item("a", 700), item("below", 650)]);
    assert.deepEqual([same.verdicts, same.rewind, same.check, same.resets], [["known", "new"], null, null, []]);
  });

  it("takes the whole of a bucket the listing enters midway, or that changed where the listing ends", () => {
    const b = memoryWith(600, [[700, "a"], [701, "b"], [702, "c"], [900, "x"]], 60);
    const s = newSegment(600, null, null, b.close());
    const midway = { ...s, progress: { ...s.progress, after: "c", at: 702 } };
    assert.deepEqual([judge(midway, b, [item("b", 701)]).reread, judge(midway, b, [item("b", 701)]).verdicts], [{ start: 700, end: 703 }, ["new"]]);
    // The last page ends inside the bucket: a deletion shows on it, or on the pages before it.
    const endsHere = judge(s, b, [item("c", 702), item("b", 701)], true);
    assert.deepEqual([endsHere.verdicts, endsHere.rewind, endsHere.resets, endsHere.done], [["new", "new"], null, [700], true]);
    const checking = { ...s, progress: { ...s.progress, after: "c", at: 702, check: { start: 700, end: 703, count: 1, sum: digest32("c"), from: { after: null, at: null } } } };
    const endsLater = judge(checking, b, [item("b", 701)], true);
    assert.deepEqual([endsLater.verdicts, endsLater.rewind, endsLater.reread, endsLater.done], [["known"], { after: null, at: null }, { start: 700, end: 703 }, false]);
  });

  it("judges unplaced completions by their digest alone, and they do not move the segment", () => {
    const s = { ...newSegment(100, null, null, null), progress: { ...newSegment(100, null, null, null).progress, after: "p", at: 500 } };
    const j = judgePage(s, null, [item("odd-known", null), item("odd-new", null), item("n", 400), item("odd-last", null)], { last: false, unplaced: new Set([digest32("odd-known")]) });
    assert.deepEqual([j.verdicts, j.at], [["known", "new", "new", "new"], 400]);
    assert.deepEqual(recordDelivered(s.progress, [item("odd-new", null), item("n", 400)], "odd-last", j.at, j), { ...s.progress, top: point(400, "n"), low: point(400, "n"), after: "odd-last", at: 400 });
  });

  it("gives the state after a part of a page with the verdicts the whole page decides", () => {
    const b = memoryWith(600, [[700, "a"], [701, "b"], [702, "c"], [900, "x"]], 60);
    const s = newSegment(600, null, null, b.close());
    const page = [item("x", 900), item("c", 702), item("late1", 701), item("late2", 701), item("a", 700), item("below", 650)];
    const part = judge(s, b, page, false, 3);
    assert.deepEqual([part.verdicts, part.reread, part.resets, part.at], [["known", "new", "new"], { start: 700, end: 703 }, [700], 701]);
  });

  it("never skips a completion that was not delivered, whatever the memory kept, and reading the same listing again soon takes nothing", () => {
    const listingOf = fc.record({
      seconds: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 5, maxLength: 120 }),
      lateAt: fc.array(fc.nat(), { maxLength: 20 }),
      deleteAt: fc.array(fc.nat(), { maxLength: 10 }),
      budget: fc.integer({ min: 40, max: 3_000 }),
      pageSize: fc.integer({ min: 1, max: 40 }),
      order: fc.array(fc.nat(), { minLength: 1, maxLength: 50 }),
    });
    fc.assert(fc.property(listingOf, ({ seconds, lateAt, deleteAt, budget, pageSize, order }) => {
      const since = 10_000;
      // A few completions in each of a run of seconds (some skipped), delivered by an earlier pass.
      const delivered: Array<[number, string]> = [];
      seconds.forEach((n, i) => { for (let k = 0; k < n; k++) delivered.push([since + i * 2, `d${i}-${k}`]); });
      const book = memoryWith(since, delivered, budget);
      const late = lateAt.map((p, i): [number, string] => [since + (p % (seconds.length * 2)), `late${i}`]);
      const deleted = new Set(deleteAt.map((p) => delivered[p % delivered.length]![1]));
      // Newest first; ties in an order the test chooses.
      const rank = (id: string) => order[digest32(id) % order.length]!;
      const listing = [...delivered.filter(([, id]) => !deleted.has(id)), ...late].map(([created, id]) => item(id, created))
        .sort((a, b) => b.created! - a.created! || rank(a.id) - rank(b.id) || (a.id < b.id ? -1 : 1));
      const segment = newSegment(since, null, null, book.close());
      const first = readSegment(segment, book, listing, pageSize, since);
      assert.deepEqual(late.filter(([, id]) => first.delivered.get(id) !== 1), []);
      assert.ok([...first.delivered.values()].every((n) => n === 1));
      assert.ok(delivered.filter(([, id]) => first.delivered.has(id)).length <= first.redelivered);
      // Reading the same listing again takes nothing, except whole buckets that still counted a
      // deleted completion (each counted as redelivered; their reset forgets it): never a loop.
      let memory = first.book.close();
      for (let pass = 0; ; pass++) {
        const kept = new MemoryBook(memory);
        kept.fit(budget);
        const again = readSegment(newSegment(since, null, null, kept.close()), new MemoryBook(kept.close()), listing, pageSize, since);
        assert.ok(again.delivered.size <= again.redelivered && (again.delivered.size === 0 || deleted.size > 0), `pass ${pass + 2} took ${[...again.delivered.keys()].join(",")}`);
        if (again.delivered.size === 0) break;
        assert.ok(pass < deleted.size, `still taking completions after ${pass + 2} passes`);
        memory = again.book.close();
      }
    }), { numRuns: 300 });
  });

  it("an anchor splits the unread part of a segment into two that own disjoint seconds, each with its memory", () => {
    const memory = new MemoryBook(emptyMemory(100));
    memory.add(150, "m1");
    memory.add(250, "m2");
    const top: Segment = { ...newSegment(100, null, null, memory.close()), progress: { top: point(900, "n"), low: point(400, "o"), after: "o", at: 400, check: null, reread: null } };
    assert.deepEqual([canSplit(top, { id: "a", created: 400 }), canSplit(top, { id: "a", created: 100 }), canSplit(top, { id: "a", created: 200 })], [false, false, true]);
    const { upper, lower } = splitSegment(top, { id: "a", created: 200 });
    assert.deepEqual([upper.lo, upper.hi, upper.progress, lower.lo, lower.hi, lower.start, lower.progress.after], [200, null, top.progress, 100, 200, { id: "a", created: 200 }, "a"]);
    const [u, l] = [new MemoryBook(upper.memory!), new MemoryBook(lower.memory!)];
    assert.deepEqual([u.has(250, "m2"), u.has(150, "m1"), l.has(150, "m1"), l.has(250, "m2")], [true, false, true, false]);
    assert.throws(() => splitSegment(top, { id: "b", created: 500 }), /cannot split/);
  });

  it("a segment whose after died reads again from the anchors above it, nearest first", () => {
    const a = (id: string, created: number) => ({ id, created });
    const segments = [newSegment(300, null, null, null), newSegment(200, 300, a("a3", 300), null), newSegment(100, 200, a("a2", 200), null), newSegment(0, 100, a("a1", 100), null)];
    assert.deepEqual([restartPoints(segments, 0), restartPoints(segments, 1), restartPoints(segments, 3)], [[], [], [a("a2", 200), a("a3", 300)]]);
  });
});

describe("chat cursor migration", () => {
  it("a version-1 cursor at rest keeps its watermark as the floor, remembering its ids", () => {
    const legacy: LegacyCompletionCursor = { watermark: { created: 500, ids: ["w1", "w2"] }, startTime: 100, sweep: null };
    const c = toChatCursor(legacy, 100, 9_999);
    const b = new MemoryBook(c.memory!);
    assert.deepEqual([c.v, c.startTime, c.newest, c.pass, c.memory!.since, b.has(500, "w1"), b.has(500, "w2"), b.exactCount], [3, 100, 500, null, 500, true, true, 2]);
  });

  it("a version-1 sweep in progress continues as the top segment and remembers from its newest second", () => {
    const legacy: LegacyCompletionCursor = { watermark: { created: 500, ids: ["w"] }, startTime: 100, sweep: { top: { created: 900, ids: ["t"] }, low: { created: 700, ids: ["l"] }, after: "l" } };
    const c = toChatCursor(legacy, 100, 9_999);
    const s = c.pass!.segments[0]!;
    const b = new MemoryBook(s.memory!);
    assert.deepEqual([c.pass!.floor, c.pass!.rememberSince, c.pass!.startedAt, c.pass!.lateAtOrBelow, s.lo, s.hi, s.progress], [500, 900, 9_999, 500, 500, null, { top: point(900, "t"), low: point(700, "l"), after: "l", at: null, check: null, reread: null }]);
    assert.deepEqual([b.has(500, "w"), b.has(900, "t"), ...each(s, b, item("mid", 800), item("next", 600))], [true, true, "again", "new"]);
  });

  it("a version-2 cursor keeps its pass and exact memory; its count-only minutes and tally are dropped", () => {
    const exact = new MemoryBook(emptyMemory(720));
    exact.add(730, "seen");
    const v2memory = { since: 600, exactFrom: 720, tail: [3, 4], exact: exact.close().exact };
    const v2: ChatCursorV2 = {
      v: 2, startTime: 100, memory: null, newest: 800,
      pass: {
        startedAt: 9_000, floor: 600, rememberSince: 7_200, lateAtOrBelow: 800, nextMemory: null, newest: null, anchors: null,
        segments: [{ lo: 600, hi: null, start: null, memory: v2memory, progress: { top: point(900, "t"), low: null, after: "t", at: 900, tally: { minute: 11, count: 2 } } as never }],
      },
      late: { collected: 5, maxDelaySeconds: 60, mayHaveMissed: 7 },
    };
    const c = toChatCursor(v2, 100, 9_999);
    const s = c.pass!.segments[0]!;
    const b = new MemoryBook(s.memory!);
    assert.deepEqual([c.v, c.late, c.odd, s.progress, b.has(730, "seen"), b.exactCount, b.bucketedCount, s.memory!.since], [
      3, { collected: 5, maxDelaySeconds: 60, redelivered: 0 }, { future: 0, unplaced: 0, unplacedIds: "" }, { top: point(900, "t"), low: null, after: "t", at: 900, check: null, reread: null }, true, 1, 0, 600,
    ]);
  });
});
