import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkCreatedOrder, createdSecond, MAX_CREATED_SECONDS } from "../../src/openai/createdOrder";
import { MalformedResponseError } from "../../src/openai/parse";

describe("created", () => {
  const cases: Array<[string, unknown, number | null]> = [
    ["an integer Unix second", 1_764_000_000, 1_764_000_000],
    ["a fraction, cut to its second", 1_764_000_000.75, 1_764_000_000],
    ["a decimal string", "1764000000", 1_764_000_000],
    ["a decimal string with a fraction", " 1764000000.5 ", 1_764_000_000],
    ["the epoch", 0, 0],
    ["the last second of year 9999", MAX_CREATED_SECONDS, MAX_CREATED_SECONDS],
    ["beyond year 9999 (beyond what a Date holds at 9e12)", 9e12, null],
    ["negative", -1, null],
    ["not a number", "soon", null],
    ["an exponent string", "1e9", null],
    ["NaN", Number.NaN, null],
    ["Infinity", Number.POSITIVE_INFINITY, null],
    ["null", null, null],
    ["an object", { seconds: 1 }, null],
  ];
  for (const [name, value, expected] of cases) it(`${name}: ${String(expected)}`, () => assert.equal(createdSecond(value), expected));
});

describe("created order of a completions page", () => {
  const page = (...created: unknown[]) => created.map((c, i) => ({ id: `c${i}`, created: c }));

  it("accepts a desc page that never goes up (ties in any order), continuing from the after's second", () => {
    assert.doesNotThrow(() => checkCreatedOrder(page(500, 500, 499, 400, 400), { order: "desc", afterCreated: 500 }));
    assert.doesNotThrow(() => checkCreatedOrder(page(100, 100, 101, 200), { order: "asc", afterCreated: 100 }));
    assert.doesNotThrow(() => checkCreatedOrder([], { order: "desc", afterCreated: 10 }));
  });

  it("refuses a page with an item out of order, naming it and the one before, or newer than the completion it continues after", () => {
    assert.throws(() => checkCreatedOrder(page(500, 200, 450), { order: "desc", afterCreated: null }), new MalformedResponseError("completions out of order=desc: c2 (created 450) is listed after c1 (created 200)"));
    assert.throws(() => checkCreatedOrder(page(501), { order: "desc", afterCreated: 500 }), new MalformedResponseError("completions out of order=desc: c0 (created 501) is listed after the completion the page continues after (created 500)"));
    assert.throws(() => checkCreatedOrder(page(100, 99), { order: "asc", afterCreated: null }), /c1 \(created 99\) is listed after c0 \(created 100\)/);
  });

  it("leaves unplaced items out of the order, and compares whole seconds", () => {
    assert.doesNotThrow(() => checkCreatedOrder(page(500, 9e12, "soon", 400.9, 400), { order: "desc", afterCreated: null }));
    assert.throws(() => checkCreatedOrder(page(400, 9e12, 401), { order: "desc", afterCreated: null }), /c2 \(created 401\) is listed after c0 \(created 400\)/);
  });
});
