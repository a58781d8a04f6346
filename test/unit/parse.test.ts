import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseJsonExact, RawJsonNumber, stringifyExact } from "../../src/json/exactJson";
import { MalformedResponseError, parseListPage } from "../../src/openai/parse";
import { CursorGuard, nextAuditCursor, nextCompletionCursor, PaginationLoopError } from "../../src/openai/paging";
import { encodeQuery } from "../../src/openai/query";

describe("parseListPage", () => {
  it("reads both envelopes, with null, empty or missing first/last ids", () => {
    assert.deepEqual(parseListPage('{"object":"list","data":[{"id":"a","x":1}],"first_id":"a","last_id":"a","has_more":true}'), { data: [{ id: "a", x: 1 }], hasMore: true, firstId: "a", lastId: "a" });
    assert.deepEqual(parseListPage('{"object":"list","data":[],"first_id":"","last_id":null,"has_more":false}'), { data: [], hasMore: false, firstId: null, lastId: null });
    assert.deepEqual(parseListPage('{"data":[],"has_more":false}'), { data: [], hasMore: false, firstId: null, lastId: null });
  });

  const malformed: Array<[string, string, RegExp]> = [
    ["truncated JSON", '{"object":"list","data":[{"id":', /not JSON/],
    ["concatenated documents", '{"data":[],"has_more":false}\n{"data":[],"has_more":false}', /not JSON/],
    ["an HTML error page", "<html>502 Bad Gateway</html>", /not JSON: <html>502/],
    ["no data array", '{"object":"list","has_more":false}', /no data array/],
    ["no has_more", '{"object":"list","data":[]}', /no boolean has_more/],
    ["an item without id", '{"data":[{"type":"x"}],"has_more":false}', /data\[0\] has no string id/],
    ["a non-object item", '{"data":[3],"has_more":false}', /data\[0\] is not an object/],
    ["an array body", "[]", /not a list object/],
  ];
  for (const [name, body, message] of malformed) {
    it(`rejects ${name} instead of returning an empty page`, () => assert.throws(() => parseListPage(body), (e: unknown) => e instanceof MalformedResponseError && message.test(e.message)));
  }

  it("requires the fields the caller names", () => {
    assert.throws(() => parseListPage('{"data":[{"id":"a","type":"t"}],"has_more":false}', ["type", "effective_at"]), /data\[0\] \(a\) has no effective_at/);
  });

  it("keeps the exact digits of every integer beyond 2^53, anywhere, and writes them back", () => {
    const text = '{"seed":4944116822809979520,"content":"\\"seed\\": 12345678901234567890","small":{"seed":42,"n":[-9223372036854775808,1.5]}}';
    const parsed = parseJsonExact(text);
    assert.deepEqual(parsed, { seed: new RawJsonNumber("4944116822809979520"), content: '"seed": 12345678901234567890', small: { seed: 42, n: [new RawJsonNumber("-9223372036854775808"), 1.5] } });
    assert.equal(stringifyExact(parsed), text);
  });
});

describe("paging", () => {
  const page = (ids: string[], hasMore: boolean, lastId: string | null = ids.at(-1) ?? null) => ({ data: ids.map((id) => ({ id })), hasMore, firstId: ids[0] ?? null, lastId });
  it("audit logs follow last_id, falling back to the last item", () => {
    assert.deepEqual([nextAuditCursor(page(["a", "b"], true, "zz")), nextAuditCursor(page(["a", "b"], true, null)), nextAuditCursor(page(["a"], false)), nextAuditCursor(page([], true, null))], ["zz", "b", null, null]);
  });
  it("completions follow the last item's id, ignoring last_id", () => {
    assert.deepEqual([nextCompletionCursor(page(["a", "b"], true, "zz")), nextCompletionCursor(page(["a"], false)), nextCompletionCursor(page([], true, "x"))], ["b", null, null]);
  });
  it("a repeated cursor is an error, not a loop", () => {
    const guard = new CursorGuard("start");
    guard.follow("a");
    assert.throws(() => guard.follow("a"), PaginationLoopError);
    assert.throws(() => guard.follow("start"), PaginationLoopError);
  });
});

describe("encodeQuery", () => {
  it("encodes arrays and objects in percent-encoded bracket form, dropping undefined", () => {
    assert.equal(encodeQuery({ effective_at: { gte: 1, lt: 2 }, event_types: ["a.b", "c"], after: undefined, limit: 100, metadata: { "k 1": "v&" } }),
      "effective_at%5Bgte%5D=1&effective_at%5Blt%5D=2&event_types%5B%5D=a.b&event_types%5B%5D=c&limit=100&metadata%5Bk%201%5D=v%26");
  });
});
