/** The usage and costs endpoints as the code knows them, against the spec (test/fixtures, extracted from openai-openapi.yaml), and the tables' columns for every field. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import endpoints from "../fixtures/openai-usage-endpoints.json";
import { columnOf } from "../../src/rows/usageRow";
import { COSTS_TABLE, USAGE_TABLE } from "../../src/schema/tables";
import { BUCKET_WIDTHS, groupKey, groupValues, pageLimit, SERIES, USAGE_FAMILIES, type SeriesName } from "../../src/usage/series";

const spec = endpoints.endpoints as Record<string, { groupBy: string[]; bucketWidths: string[]; limit: string; resultObject: string; integerFields: string[] }>;
const pathOf = (s: SeriesName) => `/${SERIES[s].path}`;
const all: SeriesName[] = [...USAGE_FAMILIES, "costs"];

describe("usage and costs series", () => {
  it("cover every usage endpoint of the spec, and costs", () => {
    assert.deepEqual(all.map(pathOf).sort(), Object.keys(spec).sort());
  });
  it("group by every dimension, accept the widths and carry the result objects and integer fields the spec gives", () => {
    const ours = all.map((s) => [s, SERIES[s].groupBy, SERIES[s].widths, SERIES[s].resultObject, SERIES[s].counts]);
    const theirs = all.map((s) => { const e = spec[pathOf(s)]!; return [s, e.groupBy, e.bucketWidths, e.resultObject, e.integerFields]; });
    assert.deepEqual(ours, theirs);
  });
  it("ask for the largest page the spec allows per width", () => {
    const documented = (s: SeriesName, width: string) => {
      const text = spec[pathOf(s)]!.limit;
      return Number(s === "costs" ? /between 1 and (\d+)/.exec(text)![1] : new RegExp(`bucket_width=${width}\`: default: \\d+, max: (\\d+)`).exec(text)![1]);
    };
    const pairs = all.flatMap((s) => SERIES[s].widths.map((w) => [s, w] as const));
    assert.deepEqual(pairs.map(([s, w]) => pageLimit(s, w)), pairs.map(([s, w]) => documented(s, w)));
    assert.deepEqual(BUCKET_WIDTHS, ["1m", "1h", "1d"]);
  });
  it("have a typed column for every group dimension and count of every family, and for every cost field", () => {
    const types = new Map(USAGE_TABLE.columns.map((c) => [c.name, c.type]));
    const wanted = USAGE_FAMILIES.flatMap((f) => [...SERIES[f].groupBy.map((d) => [columnOf(d), d === "batch" ? "boolean" : "string"]), ...SERIES[f].counts.map((c) => [columnOf(c), "long"])]);
    assert.deepEqual(wanted.map(([name]) => [name, types.get(name!)]), wanted);
    const costTypes = new Map(COSTS_TABLE.columns.map((c) => [c.name, c.type]));
    assert.deepEqual(["ProjectId", "LineItem", "ApiKeyId", "Amount", "Currency", "Quantity", "QuantityUnit"].map((c) => costTypes.get(c)), ["string", "string", "string", "real", "string", "real", "string"]);
    for (const table of [USAGE_TABLE, COSTS_TABLE]) {
      assert.deepEqual(["TimeGenerated", "Id", "CollectorId", "ConnectorName", "ObjectType", "BucketStart", "BucketEnd", "BucketWidth", "CollectedAt", "SnapshotResults", "IsRevision", "AdditionalFields"].map((c) => table.columns.some((x) => x.name === c)), Array(12).fill(true), table.tableName);
    }
  });
  it("identify a group by its dimension values in group_by order, costs also by currency", () => {
    const completion = { object: "organization.usage.completions.result", input_tokens: 5, project_id: "proj_abc", user_id: "user-abc", api_key_id: "key_abc", model: "gpt-4o-mini-2024-07-18", batch: false, service_tier: "default" };
    const cost = { object: "organization.costs.result", amount: { value: 0.06, currency: "usd" }, line_item: "input_tokens", project_id: "proj_abc", quantity: 10000 };
    assert.deepEqual([groupValues("completions", completion), groupValues("costs", cost), groupValues("vector_stores", { usage_bytes: 1, project_id: null })],
      [["proj_abc", "user-abc", "key_abc", "gpt-4o-mini-2024-07-18", false, "default"], ["proj_abc", "input_tokens", null, "usd"], [null]]);
    assert.equal(groupKey("costs", cost), JSON.stringify(["proj_abc", "input_tokens", null, "usd"]));
  });
  it("keeps groups whose values come as objects or arrays apart (never one null key for two groups)", () => {
    const keys = [{ id: "a" }, { id: "b" }, { b: 1, a: 2 }, { a: 2, b: 1 }, ["a"], "{\"json\":\"{\\\"id\\\":\\\"a\\\"}\"}"].map((project_id) => groupKey("vector_stores", { usage_bytes: 1, project_id }));
    assert.deepEqual(keys, ['[{"json":"{\\"id\\":\\"a\\"}"}]', '[{"json":"{\\"id\\":\\"b\\"}"}]', '[{"json":"{\\"a\\":2,\\"b\\":1}"}]', '[{"json":"{\\"a\\":2,\\"b\\":1}"}]', '[{"json":"[\\"a\\"]"}]',
      JSON.stringify(['{"json":"{\\"id\\":\\"a\\"}"}'])]);
  });
});
