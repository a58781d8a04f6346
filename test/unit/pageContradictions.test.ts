/**
 * Pages that contradict themselves, or the request they answer, are malformed responses (retried,
 * then reported as retriable failures), never the end of the data. One named case per kind.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MalformedResponseError, parseListPage } from "../../src/openai/parse";
import { checkPage, CursorGuard, nextAuditCursor, nextCompletionCursor, type PageRequest } from "../../src/openai/paging";

const audit = (ids: string[], at: number[] = ids.map(() => 150)) => ids.map((id, i) => ({ id, type: "login.succeeded", effective_at: at[i] }));
const body = (value: unknown) => JSON.stringify(value);
const AUDIT: PageRequest = { after: null, effectiveAt: { gte: 100, lt: 200 } };

// [name, response body, request, expected message]
const contradictions: Array<[string, string, PageRequest, RegExp]> = [
  ["has_more with no items and no last_id (the issue's first audit page)", body({ object: "list", data: [], first_id: null, last_id: null, has_more: true }), AUDIT, /has_more is true but data is empty/],
  ["has_more with no items, bare envelope (the issue's completions page 2)", body({ data: [], has_more: true }), { after: "c9" }, /has_more is true but data is empty/],
  ["has_more with no items but a last_id", body({ object: "list", data: [], first_id: null, last_id: "x", has_more: true }), AUDIT, /has_more is true but data is empty/],
  ["last_id naming another item than the last", body({ data: audit(["a", "b"]), first_id: "a", last_id: "a", has_more: true }), AUDIT, /last_id "a" is not the last item's id "b"/],
  ["last_id naming no item at all", body({ data: audit(["a", "b"]), first_id: "a", last_id: "zz", has_more: true }), AUDIT, /last_id "zz" is not the last item's id "b"/],
  ["first_id naming another item than the first", body({ data: audit(["a", "b"]), first_id: "b", last_id: "b", has_more: false }), AUDIT, /first_id "b" is not the first item's id "a"/],
  ["ids given for an empty page", body({ data: [], first_id: "a", last_id: "a", has_more: false }), AUDIT, /first_id "a" is given but data is empty/],
  ["the same id twice in one page", body({ data: audit(["a", "b", "a"]), has_more: true }), AUDIT, /id "a" appears twice in one page/],
  ["a cursor that does not move", body({ data: [{ id: "c1" }, { id: "c2" }], first_id: "c1", last_id: "c2", has_more: true }), { after: "c2" }, /continues after "c2", the cursor it was asked to continue after/],
  ["the item it was asked to continue after", body({ data: [{ id: "c2" }, { id: "c3" }], has_more: false }), { after: "c2" }, /repeats "c2", the item it was asked to continue after/],
  ["an item before the requested effective_at range", body({ data: audit(["a", "b"], [150, 99]), has_more: false }), AUDIT, /b has effective_at 99, outside the requested \[100, 200\)/],
  ["an item at the exclusive end of the range", body({ data: audit(["a"], [200]), has_more: false }), AUDIT, /a has effective_at 200, outside the requested \[100, 200\)/],
  ["an effective_at that is not a number", body({ data: [{ id: "a", type: "t", effective_at: "150" }], has_more: false }), AUDIT, /a has effective_at "150", outside the requested \[100, 200\)/],
];

describe("self-contradicting pages", () => {
  for (const [name, text, request, message] of contradictions) {
    it(`rejects ${name}`, () => {
      assert.throws(() => checkPage(parseListPage(text), request), (e: unknown) => e instanceof MalformedResponseError && message.test(e.message), message.source);
    });
  }

  it("accepts consistent pages of both envelopes and gives the next cursor", () => {
    const pages: Array<[string, PageRequest]> = [
      [body({ object: "list", data: audit(["a", "b"], [100, 199]), first_id: "a", last_id: "b", has_more: true }), AUDIT],
      [body({ object: "list", data: [], first_id: null, last_id: null, has_more: false }), AUDIT],
      [body({ object: "list", data: [{ id: "c3" }, { id: "c4" }], first_id: "c3", last_id: "c4", has_more: true }), { after: "c2" }],
      [body({ data: [{ id: "c5" }], has_more: false }), { after: "c4" }],
    ];
    const next = pages.map(([text, request]) => {
      const page = parseListPage(text);
      checkPage(page, request);
      return [nextAuditCursor(page), nextCompletionCursor(page)];
    });
    assert.deepEqual(next, [["b", "b"], [null, null], ["c4", "c4"], [null, null]]);
  });

  it("a cursor repeated later in one listing is a retriable malformed response, not the end", () => {
    const guard = new CursorGuard("start");
    guard.follow("a");
    assert.throws(() => guard.follow("a"), (e: unknown) => e instanceof MalformedResponseError && /cursor "a" twice/.test(e.message));
    assert.throws(() => guard.follow("start"), MalformedResponseError);
  });
});
