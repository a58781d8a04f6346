import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { digest32, packDigests, unpackDigests } from "../../src/cursors/digest";
import { canSplitAt, emptyMemory, exactCount, forgetBefore, MemoryBook, splitMemory, type LateMemory } from "../../src/cursors/lateMemory";

function book(since: number, items: Array<[number, string]>): MemoryBook {
  const b = new MemoryBook(emptyMemory(since));
  for (const [created, id] of items) b.add(created, id);
  return b;
}

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
    assert.deepEqual([again.has(1_000, "a"), again.has(1_000, "b"), again.has(1_005, "c"), again.has(1_005, "a"), again.has(999, "old"), again.exactCount], [true, true, true, false, false, 3]);
    assert.deepEqual([again.region(999), again.region(1_000), again.region(5_000)], ["below", "exact", "exact"]);
  });

  it("forgets what was created before a second, and never moves back", () => {
    const m = book(1_000, [[1_000, "a"], [1_100, "b"], [1_200, "c"]]).close();
    const later = forgetBefore(m, 1_100);
    const b = new MemoryBook(later);
    assert.deepEqual([later.since, later.exactFrom, b.has(1_000, "a"), b.has(1_100, "b"), b.has(1_200, "c")], [1_100, 1_100, false, true, true]);
    assert.deepEqual(forgetBefore(later, 900), later);
  });

  it("over its budget demotes the oldest minutes to counts, which then count completions listed beyond them", () => {
    // 600 ids over 10 minutes from 12:00 (Unix 43,200).
    const items: Array<[number, string]> = Array.from({ length: 600 }, (_, i) => [43_200 + i, `id-${i}`]);
    const b = book(43_200, items);
    const full = JSON.stringify(b.close()).length;
    const demoted = b.fit(Math.floor(full / 2));
    const m = b.close();
    assert.ok(JSON.stringify(m).length <= full / 2, `${JSON.stringify(m).length} > ${full / 2}`);
    const minutes = demoted / 60;
    assert.deepEqual([Number.isInteger(minutes), m.since, m.exactFrom, m.tail, exactCount(m)], [true, 43_200, 43_200 + demoted, Array(minutes).fill(60), 600 - demoted]);
    const again = new MemoryBook(m);
    assert.deepEqual([again.region(43_200), again.region(43_200 + demoted - 1), again.region(43_200 + demoted)], ["tail", "tail", "exact"]);
    // A re-read lists 62 in the first minute (2 late), then 59 (a part of it, or deletions), then 63 (1 more late).
    assert.deepEqual([again.seenInMinute(720, 62), again.seenInMinute(720, 59), again.seenInMinute(720, 63), again.seenInMinute(719, 5)], [2, 0, 1, 0]);
    assert.deepEqual(again.close().tail, [63, ...Array(minutes - 1).fill(60)]);
  });

  it("splits at an exact second into the part below and the part from it on", () => {
    const m = book(1_000, [[1_000, "a"], [1_050, "b"], [1_051, "c"]]).close();
    const { below, atOrAbove } = splitMemory(m, 1_051);
    const [low, high] = [new MemoryBook(below!), new MemoryBook(atOrAbove)];
    assert.deepEqual([below!.since, low.exactCount, low.has(1_050, "b"), atOrAbove.since, high.exactCount, high.has(1_051, "c")], [1_000, 2, true, 1_051, 1, true]);
    assert.deepEqual(splitMemory(m, 900), { below: null, atOrAbove: m });
  });

  it("cannot split inside its count-only minutes", () => {
    const m: LateMemory = { since: 600, exactFrom: 720, tail: [3, 4], exact: "" };
    assert.deepEqual([canSplitAt(m, 600), canSplitAt(m, 650), canSplitAt(m, 720), canSplitAt(m, 500)], [true, false, true, true]);
    assert.throws(() => splitMemory(m, 650), /count-only/);
  });
});
