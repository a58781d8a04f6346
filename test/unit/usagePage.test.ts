/** Usage and costs pages: the query one page sends, and a parser that refuses pages contradicting themselves or the query. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MalformedResponseError } from "../../src/openai/parse";
import { encodeQuery } from "../../src/openai/query";
import { parseUsagePage, usageQueryParams, type UsageQuery } from "../../src/openai/usagePage";

const HOUR = 3_600;
const START = 1_730_419_200; // 2024-11-01T00:00:00Z, the spec examples' start_time
const query: UsageQuery = { series: "completions", bucketWidth: "1h", startTime: START, endTime: START + 3 * HOUR };
const bucket = (start: number, results: unknown[] = [], width = HOUR) => ({ object: "bucket", start_time: start, end_time: start + width, results });
const result = (project: string | null, tokens = 1) => ({ object: "organization.usage.completions.result", input_tokens: tokens, output_tokens: 1, num_model_requests: 1, project_id: project, user_id: null, api_key_id: null, model: null, batch: null, service_tier: null });
const page = (data: unknown[], hasMore = false, nextPage: string | null = null) => JSON.stringify({ object: "page", data, has_more: hasMore, next_page: nextPage });

describe("usage page query", () => {
  it("asks for every group dimension, the width and the largest page, with the cursor when there is one", () => {
    assert.equal(decodeURIComponent(encodeQuery(usageQueryParams({ ...query, page: "page_abc" }))),
      `start_time=${START}&end_time=${START + 3 * HOUR}&bucket_width=1h&group_by[]=project_id&group_by[]=user_id&group_by[]=api_key_id&group_by[]=model&group_by[]=batch&group_by[]=service_tier&limit=168&page=page_abc`);
    assert.equal(decodeURIComponent(encodeQuery(usageQueryParams({ series: "costs", bucketWidth: "1d", startTime: START, endTime: START + 86_400 }))),
      `start_time=${START}&end_time=${START + 86_400}&bucket_width=1d&group_by[]=project_id&group_by[]=line_item&group_by[]=api_key_id&limit=180`);
  });
});

describe("usage page parser", () => {
  it("reads buckets, their results, has_more and next_page", () => {
    const parsed = parseUsagePage(page([bucket(START, [result("proj_a"), result("proj_b", 7)]), bucket(START + HOUR)], true, "page_2"), query);
    assert.deepEqual(parsed, {
      buckets: [{ startTime: START, endTime: START + HOUR, results: [result("proj_a"), result("proj_b", 7)] }, { startTime: START + HOUR, endTime: START + 2 * HOUR, results: [] }],
      hasMore: true, nextPage: "page_2",
    });
    assert.deepEqual(parseUsagePage(page([]), query), { buckets: [], hasMore: false, nextPage: null });
  });

  const refused: Array<[string, string, RegExp]> = [
    ["a body that is not JSON", "<html>502</html>", /not JSON/],
    ["a list instead of a page", JSON.stringify([bucket(START)]), /not a page object/],
    ["no data array", JSON.stringify({ object: "page", has_more: false, next_page: null }), /no data array/],
    ["no has_more", JSON.stringify({ object: "page", data: [], next_page: null }), /no boolean has_more/],
    ["has_more without a next_page", page([bucket(START)], true, null), /has_more but gives no next_page/],
    ["a next_page after has_more: false", page([bucket(START)], false, "page_2"), /has_more: false but gives next_page page_2/],
    ["a bucket of another width", page([bucket(START, [], 86_400)]), /is not a 1h bucket/],
    ["a bucket off the hour", page([bucket(START + 60)]), /is not a 1h bucket/],
    ["a bucket before the window", page([bucket(START - HOUR)]), /before the end of what came before it/],
    ["a bucket after the window", page([bucket(START + 3 * HOUR)]), /outside the window/],
    ["buckets out of order", page([bucket(START + HOUR), bucket(START)]), /out of order or repeated/],
    ["a bucket twice", page([bucket(START), bucket(START)]), /out of order or repeated/],
    ["a group twice in a bucket", page([bucket(START, [result("proj_a"), result("proj_a", 2)])]), /two results for the group \["proj_a",null,null,null,null,null\]/],
    ["results that are not a list", page([{ ...bucket(START), results: {} }]), /no results array/],
    ["a result that is not an object", page([bucket(START, [1])]), /results\[0\] is not an object/],
    ["times that are not integers", page([{ ...bucket(START), start_time: "1730419200" }]), /no integer start_time/],
  ];
  for (const [name, body, message] of refused) {
    it(`refuses ${name}`, () => {
      assert.throws(() => parseUsagePage(body, query), (e: unknown) => e instanceof MalformedResponseError && message.test(e.message));
    });
  }
});
