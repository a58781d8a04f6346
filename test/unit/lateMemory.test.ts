import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { digest32, packDigests, unpackDigests } from "../../src/cursors/digest";
import { addDigest, BUCKET_ITEMS, BUCKET_SHARE, canSplitAt, emptyMemory, forgetBefore, memoryCounts, MemoryBook, splitMemory, upgradeMemory, type LateMemory } from "../../src/cursors/lateMemory";

function book(since: number, items: Array<[number, string]>): MemoryBook {
  const b = new MemoryBook(emptyMemory(since));
  for (const [created, id] of items) b.add(created, id);
  return b;
}

/** `perSecond` ids in every second of `[from, to)`. */
function busy(from: number, to: number, perSecond: number): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  for (let s = from; s < to; s++) for (let k = 0; k < perSecond; k++) out.push([s, `chatcmpl-${s}-${k}`]);
  return out;
}

/** Where each delivered completion is remembered: "exact", or the start of its bucket. */
function whereRemembered(b: MemoryBook, items: Array<[number, string]>): Array<"exact" | number | null> {
  return items.map(([created, id]) => (b.has(created, id) ? "exact" : b.bucketAt(created)?.start ?? null));
}

const sumOf = (ids: readonly string[]) => ids.map(digest32).reduce(addDigest, 0);

describe("id digests", () => {
  it("pack and unpack 32-bit digests, and different ids rarely share one", () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `chatcmpl-${i.toString(36)}x${(i * 7919).toString(36)}`);
    const digests = ids.map(digest32);
    assert.deepEqual(unpackDigests(packDigests(digests)), digests);
    // 20,000 ids over 2^32 values: the expected number of colliding pairs is 0.05.
    assert.ok(new Set(digests).size >= ids.length - 1, `${ids.length - new Set(digests).size} collisions`);
    assert.throws(() => unpackDigests("AAA"), /not a multiple of 4/);
  });
});

describe("late memory", () => {
  it("remembers delivered ids per second, survives its durable form, and ignores what is below it", () => {
    const b = book(1_000, [[1_000, "a"], [1_000, "b"], [1_005, "c"], [999, "old"], [1_000, "a"]]);
    const again = new MemoryBook(b.close());
    assert.deepEqual([again.has(1_000, "a"), again.has(1_000, "b"), again.has(1_005, "c"), again.has(1_005, "a"), again.has(999, "old"), again.exactCount, again.bucketedCount], [true, true, true, false, false, 3, 0]);
  });

  it("over its budget moves the oldest seconds into checksummed buckets of whole seconds, keeping the newest exact and every id counted once", () => {
    // 5 a second for 10 minutes from 12:00 (Unix 43,200).
    const items = busy(43_200, 43_800, 5);
    const b = book(43_200, items);
    const full = JSON.stringify(b.close()).length;
    const demoted = b.fit(Math.floor(full / 2));
    const m = b.close();
    const again = new MemoryBook(m);
    const where = whereRemembered(again, items);
    const firstExact = where.indexOf("exact");
    assert.ok(JSON.stringify(m).length <= full / 2, `${JSON.stringify(m).length} > ${full / 2}`);
    // The oldest part is in buckets, the rest exact, with nothing forgotten.
    assert.deepEqual([demoted, where.slice(0, firstExact).every((w) => typeof w === "number"), where.slice(firstExact).every((w) => w === "exact"), again.exactCount + again.bucketedCount],
      [firstExact, true, true, items.length]);
    // Each bucket holds whole seconds, with their count and digest sum.
    const starts = [...new Set(where.filter((w): w is number => typeof w === "number"))];
    for (const start of starts) {
      const bucket = again.bucketAt(start)!;
      const inside = items.filter(([created]) => created >= bucket.start && created < bucket.end).map(([, id]) => id);
      assert.deepEqual([bucket.count, bucket.sum], [inside.length, sumOf(inside)]);
    }
  });

  it("starts buckets of BUCKET_ITEMS completions, and merges them into larger ones only when they take more than BUCKET_SHARE of the budget", () => {
    const items = busy(50_000, 50_040, 1);
    const bucketsOf = (b: MemoryBook) => [...new Set(whereRemembered(b, items).filter((w): w is number => typeof w === "number"))].map((s) => b.bucketAt(s)!.count);
    const fine = book(50_000, items);
    fine.fit(JSON.stringify(fine.close()).length - 60);
    const fineCounts = bucketsOf(fine);
    assert.ok(fineCounts.length > 1 && fineCounts.slice(0, -1).every((n) => n === BUCKET_ITEMS), JSON.stringify(fineCounts));
    const coarse = book(50_000, items);
    coarse.fit(120);
    const counts = bucketsOf(coarse);
    const size = JSON.stringify(coarse.close()).length;
    assert.ok(size <= 120 && Math.max(...counts) > BUCKET_ITEMS && counts.reduce((a, n) => a + n, 0) + coarse.exactCount === 40, JSON.stringify({ counts, size }));
    assert.ok(coarse.close().buckets.length <= 120 * BUCKET_SHARE || coarse.exactCount === 0, JSON.stringify(coarse.close()));
  });

  it("stays within its budget at any rate, and its size does not depend on how far back `since` is", () => {
    // 50 a second for 35 minutes: 105,000 ids, 420 KB as digests.
    const items = busy(1_764_000_000, 1_764_002_100, 50);
    const sizes = [0, 1_764_000_000 - 5 * 86_400, 1_764_000_000].map((since) => {
      const b = book(since, items);
      b.fit(14_000);
      const m = b.close();
      const again = new MemoryBook(m);
      return { chars: JSON.stringify(m).length, counted: again.exactCount + again.bucketedCount };
    });
    assert.ok(sizes.every((s) => s.chars <= 14_000), JSON.stringify(sizes));
    assert.deepEqual(sizes.map((s) => s.counted), [105_000, 105_000, 105_000]);
    assert.ok(Math.max(...sizes.map((s) => s.chars)) - Math.min(...sizes.map((s) => s.chars)) < 16, JSON.stringify(sizes));
  });

  it("never lets a bucket cross a boundary, and keeps the second being read exact while anything else can go", () => {
    const items = busy(10_000, 10_300, 4);
    const b = book(10_000, items);
    b.fit(600, { boundaries: [10_100, 10_250], keepExact: 10_299 });
    const again = new MemoryBook(b.close());
    const buckets = [...new Set(whereRemembered(again, items).filter((w): w is number => typeof w === "number"))].map((s) => again.bucketAt(s)!);
    assert.ok(buckets.length > 0 && buckets.every((x) => !(x.start < 10_100 && x.end > 10_100) && !(x.start < 10_250 && x.end > 10_250)), JSON.stringify(buckets));
    assert.deepEqual([0, 1, 2, 3].map((k) => again.has(10_299, `chatcmpl-10299-${k}`)), [true, true, true, true]);
    assert.equal(again.exactCount + again.bucketedCount, items.length);
  });

  it("counts a completion delivered into a bucket's seconds in the bucket, and starts a bucket again from zero", () => {
    const b = book(100, [[100, "a"], [101, "b"], [200, "c"]]);
    b.fit(60);
    const bucket = b.bucketAt(100)!;
    b.add(101, "late");
    assert.deepEqual(b.bucketAt(100), { ...bucket, count: bucket.count + 1, sum: addDigest(bucket.sum, digest32("late")) });
    b.resetBucket(bucket.start);
    assert.deepEqual([b.bucketAt(101)!.count, b.bucketAt(101)!.sum], [0, 0]);
  });

  it("forgets what was created before a second, keeps a bucket holding seconds on both sides whole, and never moves back", () => {
    const m = book(1_000, [[1_000, "a"], [1_100, "b"], [1_200, "c"]]).close();
    const later = forgetBefore(m, 1_100);
    const b = new MemoryBook(later);
    assert.deepEqual([later.since, b.has(1_000, "a"), b.has(1_100, "b"), b.has(1_200, "c")], [1_100, false, true, true]);
    assert.deepEqual(forgetBefore(later, 900), later);
    const bucketed = book(1_000, [[1_000, "a"], [1_050, "b"], [1_200, "c"]]);
    bucketed.fit(40);
    const span = bucketed.bucketAt(1_000)!;
    assert.ok(span.end > 1_020, JSON.stringify(span));
    const kept = new MemoryBook(forgetBefore(bucketed.close(), 1_020));
    assert.deepEqual([kept.close().since, kept.bucketAt(1_040)], [1_000, span]);
  });

  it("splits where no bucket holds seconds on both sides, into the part below and the part from there on", () => {
    const m = book(1_000, [[1_000, "a"], [1_050, "b"], [1_051, "c"]]).close();
    const { below, atOrAbove } = splitMemory(m, 1_051);
    const [low, high] = [new MemoryBook(below!), new MemoryBook(atOrAbove)];
    assert.deepEqual([below!.since, low.exactCount, low.has(1_050, "b"), atOrAbove.since, high.exactCount, high.has(1_051, "c")], [1_000, 2, true, 1_051, 1, true]);
    assert.deepEqual(splitMemory(m, 900), { below: null, atOrAbove: m });
    const b = book(600, busy(600, 700, 1));
    b.fit(200);
    const bucket = b.bucketAt(600)!;
    const bucketed: LateMemory = b.close();
    assert.deepEqual([canSplitAt(bucketed, bucket.start), canSplitAt(bucketed, bucket.start + 1), canSplitAt(bucketed, bucket.end)], [true, false, true]);
    assert.throws(() => splitMemory(bucketed, bucket.start + 1), /both sides/);
    const parts = splitMemory(bucketed, bucket.end);
    assert.deepEqual([memoryCounts(parts.below!).bucketed + memoryCounts(parts.atOrAbove).bucketed + memoryCounts(parts.atOrAbove).exact, new MemoryBook(parts.below!).bucketAt(bucket.start)], [100, bucket]);
  });

  it("takes a version-2 memory's exact part and drops its count-only minutes", () => {
    const v3 = book(720, [[720, "a"], [725, "b"]]).close();
    const v2 = { since: 600, exactFrom: 720, tail: [3, 4], exact: v3.exact };
    const up = new MemoryBook(upgradeMemory(v2));
    assert.deepEqual([up.close().since, up.has(720, "a"), up.has(725, "b"), up.exactCount, up.bucketedCount, up.bucketAt(650)], [600, true, true, 2, 0, undefined]);
  });
});
