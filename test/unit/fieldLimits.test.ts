import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fitRow, limitDynamic, MAX_FIELD_BYTES, TRUNCATION_MARKER, truncateString, utf8Bytes } from "../../src/rows/fieldLimits";

describe("truncateString", () => {
  it("leaves a string at exactly the limit alone and cuts one byte over", () => {
    const exact = "a".repeat(MAX_FIELD_BYTES);
    assert.equal(truncateString(exact), exact);
    const over = truncateString(exact + "b");
    assert.deepEqual([utf8Bytes(over) <= MAX_FIELD_BYTES, over.endsWith(TRUNCATION_MARKER)], [true, true]);
  });
  it("never splits a multi-byte character or a surrogate pair", () => {
    for (const unit of ["é", "東", "🚀"]) {
      const cut = truncateString(unit.repeat(40_000), 1000);
      const body = cut.slice(0, -TRUNCATION_MARKER.length);
      assert.ok(utf8Bytes(cut) <= 1000, unit);
      assert.equal(body, unit.repeat(body.length / unit.length), unit);
    }
  });
});

describe("limitDynamic", () => {
  it("keeps small values and replaces large ones with a visible, size-bounded marker", () => {
    assert.deepEqual(limitDynamic({ a: [1, 2] }), { a: [1, 2] });
    const big = limitDynamic({ text: '"quoted"\n'.repeat(30_000) }) as { _truncated: boolean; _originalBytes: number; _preview: string };
    assert.deepEqual([big._truncated, big._originalBytes, utf8Bytes(JSON.stringify(big)) <= MAX_FIELD_BYTES], [true, utf8Bytes(JSON.stringify({ text: '"quoted"\n'.repeat(30_000) })), true]);
  });
});

describe("fitRow", () => {
  it("brings a row whose every field is at the limit under the row budget", () => {
    const row = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`F${i}`, "x".repeat(MAX_FIELD_BYTES)]));
    const fitted = fitRow(row, 900_000);
    assert.ok(utf8Bytes(JSON.stringify(fitted)) <= 900_000);
    assert.deepEqual(Object.keys(fitted), Object.keys(row));
  });
});
