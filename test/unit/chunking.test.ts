import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chunkRows } from "../../src/sentinel/chunking";

const row = (bytes: number) => ({ v: "x".repeat(bytes - 8) }); // {"v":""} is 8 bytes
const bodyBytes = (rows: unknown[]) => Buffer.byteLength(JSON.stringify(rows));

describe("chunkRows", () => {
  it("fills a chunk to exactly the budget, brackets and commas included", () => {
    // [a,b] with two 49-byte rows = 2 + 49 + 1 + 49 = 101 bytes
    assert.deepEqual(chunkRows([row(49), row(49), row(49)], 101).map((c) => c.length), [2, 1]);
    assert.deepEqual(chunkRows([row(49), row(49), row(49)], 100).map((c) => c.length), [1, 1, 1]);
  });
  it("keeps order, and every chunk's body fits the budget", () => {
    const rows = Array.from({ length: 2_000 }, (_, i) => ({ i, v: "é".repeat(200 + (i % 37) * 20) }));
    const chunks = chunkRows(rows, 100_000);
    assert.deepEqual(chunks.flat(), rows);
    assert.ok(chunks.every((c) => bodyBytes(c) <= 100_000));
    assert.ok(chunks.slice(0, -1).every((c, k) => bodyBytes([...c, chunks[k + 1]![0]]) > 100_000), "chunks are as full as they can be");
  });
  it("gives an oversized row its own chunk and nothing for no rows", () => {
    assert.deepEqual(chunkRows([row(10), row(500), row(10)], 100).map((c) => c.length), [1, 1, 1]);
    assert.deepEqual(chunkRows([], 100), []);
  });
});
