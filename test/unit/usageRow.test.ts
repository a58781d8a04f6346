/** Usage and costs results → rows: the spec's examples mapped whole, unknown and oddly typed fields kept, the empty-bucket row. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { snapshotRows } from "../../src/rows/usageRow";
import { checkRow, COSTS_TABLE, USAGE_TABLE } from "../../src/schema/tables";

const START = 1_730_419_200;
const origin = { collectorId: "org-usage", connectorName: "Org usage", bucketWidth: "1d" as const, collectedAt: "2024-11-02T01:00:00.000Z", isRevision: false };
const snapshot = { TimeGenerated: "2024-11-01T00:00:00.000Z", CollectorId: "org-usage", ConnectorName: "Org usage", BucketStart: "2024-11-01T00:00:00.000Z", BucketEnd: "2024-11-02T00:00:00.000Z", BucketWidth: "1d", CollectedAt: "2024-11-02T01:00:00.000Z", IsRevision: false };

describe("usage rows", () => {
  it("map the spec's completions example to one typed row with every count and group column", () => {
    // openai-openapi.yaml, UsageCompletionsResult example.
    const example = { object: "organization.usage.completions.result", input_tokens: 5000, input_cached_tokens: 1800, input_cache_write_tokens: 200, input_uncached_tokens: 3000, output_tokens: 1000,
      input_text_tokens: 2500, output_text_tokens: 800, input_cached_text_tokens: 1500, input_audio_tokens: 300, input_cached_audio_tokens: 100, output_audio_tokens: 100, input_image_tokens: 200,
      input_cached_image_tokens: 200, output_image_tokens: 100, num_model_requests: 5, project_id: "proj_abc", user_id: "user-abc", api_key_id: "key_abc", model: "gpt-4o-mini-2024-07-18", batch: false, service_tier: "default" };
    const rows = snapshotRows("completions", { startTime: START, endTime: START + 86_400, results: [example] }, origin);
    assert.deepEqual(rows, [{
      ...snapshot, Family: "completions", ObjectType: "organization.usage.completions.result", SnapshotResults: 1,
      Id: 'completions:1d:1730419200:["proj_abc","user-abc","key_abc","gpt-4o-mini-2024-07-18",false,"default"]',
      InputTokens: 5000, InputCachedTokens: 1800, InputCacheWriteTokens: 200, InputUncachedTokens: 3000, OutputTokens: 1000, InputTextTokens: 2500, OutputTextTokens: 800,
      InputCachedTextTokens: 1500, InputAudioTokens: 300, InputCachedAudioTokens: 100, OutputAudioTokens: 100, InputImageTokens: 200, InputCachedImageTokens: 200, OutputImageTokens: 100,
      NumModelRequests: 5, ProjectId: "proj_abc", UserId: "user-abc", ApiKeyId: "key_abc", Model: "gpt-4o-mini-2024-07-18", Batch: false, ServiceTier: "default", AdditionalFields: null,
    }]);
    assert.deepEqual(rows.flatMap((r) => checkRow(USAGE_TABLE, r)), []);
  });

  it("keep unknown fields and counts of an unexpected type in AdditionalFields, write numbers of string columns as text, and leave ungrouped dimensions empty", () => {
    const odd = { object: "organization.usage.images.result", images: 2, num_model_requests: 2.5, size: "1024x1024", source: 7, project_id: null, user_id: null, api_key_id: null, model: "dall-e-3", quality: "hd", new_count: 3 };
    const [row] = snapshotRows("images", { startTime: START, endTime: START + 86_400, results: [odd] }, origin);
    assert.deepEqual(row, {
      ...snapshot, Family: "images", ObjectType: "organization.usage.images.result", SnapshotResults: 1, Id: 'images:1d:1730419200:[null,null,null,"dall-e-3","1024x1024",7]',
      Images: 2, Size: "1024x1024", Source: "7", Model: "dall-e-3", AdditionalFields: { num_model_requests: 2.5, quality: "hd", new_count: 3 },
    });
    assert.deepEqual(checkRow(USAGE_TABLE, row), []);
  });

  it("map the spec's costs example, amount and quantity as reals, and keep numbers sent as text as sent", () => {
    const example = { object: "organization.costs.result", amount: { value: 0.06, currency: "usd" }, line_item: "input_tokens", project_id: "proj_abc", quantity: 10000, quantity_unit: "tokens" };
    const rows = snapshotRows("costs", { startTime: START, endTime: START + 86_400, results: [example, { object: "organization.costs.result", amount: { value: "0.5", currency: "usd" }, line_item: null, project_id: null, api_key_id: null, quantity: "12", quantity_unit: null }] }, { ...origin, isRevision: true });
    assert.deepEqual(rows, [
      { ...snapshot, IsRevision: true, ObjectType: "organization.costs.result", SnapshotResults: 2, Id: 'costs:1d:1730419200:["proj_abc","input_tokens",null,"usd"]', ProjectId: "proj_abc", LineItem: "input_tokens", Amount: 0.06, Currency: "usd", Quantity: 10000, QuantityUnit: "tokens", AdditionalFields: null },
      { ...snapshot, IsRevision: true, ObjectType: "organization.costs.result", SnapshotResults: 2, Id: 'costs:1d:1730419200:[null,null,null,"usd"]', Currency: "usd", AdditionalFields: { amount: { value: "0.5", currency: "usd" }, quantity: "12" } },
    ]);
    assert.deepEqual(rows.flatMap((r) => checkRow(COSTS_TABLE, r)), []);
  });

  it("write one row for a re-read bucket that lost its results, and none for a first reading of an empty bucket", () => {
    const empty = { startTime: START, endTime: START + 86_400, results: [] };
    assert.deepEqual(snapshotRows("moderations", empty, origin), []);
    assert.deepEqual(snapshotRows("moderations", empty, { ...origin, isRevision: true }, true), [
      { ...snapshot, IsRevision: true, Family: "moderations", ObjectType: "organization.usage.moderations.result", SnapshotResults: 0, Id: "moderations:1d:1730419200:empty" },
    ]);
  });
});
