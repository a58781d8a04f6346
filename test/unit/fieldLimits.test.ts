import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fitRow, limitDynamic, MAX_FIELD_BYTES, TRUNCATED_STRING, truncateString, utf8Bytes } from "../../src/rows/fieldLimits";

describe("truncateString", () => {
  it("leaves a string at exactly the limit alone and cuts one byte over", () => {
    const exact = "a".repeat(MAX_FIELD_BYTES);
    assert.equal(truncateString(exact), exact);
    const over = truncateString(exact + "b");
    assert.deepEqual([utf8Bytes(over) <= MAX_FIELD_BYTES, TRUNCATED_STRING.exec(over)?.[1]], [true, String(MAX_FIELD_BYTES + 1)]);
  });
  it("never splits a multi-byte character or a surrogate pair", () => {
    for (const unit of ["é", "東", "🚀"]) {
      const cut = truncateString(unit.repeat(40_000), 1000);
      const body = cut.slice(0, -TRUNCATED_STRING.exec(cut)![0].length);
      assert.ok(utf8Bytes(cut) <= 1000, unit);
      assert.equal(body, unit.repeat(body.length / unit.length), unit);
    }
  });
});

describe("limitDynamic", () => {
  it("keeps small values and cuts the strings of large ones (escapes counted), keeping their keys", () => {
    assert.deepEqual(limitDynamic({ a: [1, 2] }), { a: [1, 2] });
    const text = '"quoted"\n'.repeat(30_000);
    const big = limitDynamic({ text, small: "s" }) as { text: string; small: string };
    assert.deepEqual([Object.keys(big), big.small, TRUNCATED_STRING.exec(big.text)?.[1], utf8Bytes(JSON.stringify(big)) <= MAX_FIELD_BYTES, text.startsWith(big.text.replace(TRUNCATED_STRING, ""))],
      [["text", "small"], "s", String(utf8Bytes(text)), true, true]);
  });
  it("cuts the longest strings first, to one common length, and leaves the short ones whole", () => {
    const value = { a: "a".repeat(100_000), b: "b".repeat(40_000), c: "c".repeat(1_000) };
    const cut = limitDynamic(value) as { a: string; b: string; c: string };
    const kept = (s: string) => s.replace(TRUNCATED_STRING, "").length;
    // One common JSON size: the kept parts differ only by the marker's digit count.
    assert.deepEqual([cut.c, Math.abs(kept(cut.a) - kept(cut.b)) <= 1, kept(cut.a) > 30_000, utf8Bytes(JSON.stringify(cut)) <= MAX_FIELD_BYTES], ["c".repeat(1_000), true, true, true]);
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
