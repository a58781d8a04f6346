/**
 * Buckets that change after they close: usage that shows up late in a settled hour, a correction
 * that takes a bucket's only group away, cost credits and fees on past days, and a revision older
 * than the revision window. The parsers' result over every accepted row (computed in the test with
 * their rule, test/fakes/snapshotRule.ts) must never double-count: it equals what the API says now
 * for every bucket inside the window, and keeps the last value read for one outside it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { generateUsageRecords } from "../../src/local/fakes/generateUsage";
import { COSTS_TABLE, USAGE_TABLE } from "../../src/schema/tables";
import { USAGE_FAMILIES } from "../../src/usage/series";
import { startLocalApp, type LocalApp } from "../fakes/localApp";
import { parserResult, type Row } from "../fakes/snapshotRule";
import { createCollector } from "./helpers";
import { apiSays, COSTS_SETTLE_SECONDS, naiveSums, parserSays, USAGE_SETTLE_SECONDS } from "./usageExpectations";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const T = NOW / 1000;
const HOUR = 3_600;
const FROM = T - 7 * 86_400;
const iso = (s: number) => new Date(s * 1000).toISOString();

describe("revised buckets", () => {
  let app: LocalApp;
  let revisedAtMs = 0;
  // Hours (bucket starts) the test revises.
  const lateHour = T - 3 * HOUR, emptiedHour = T - 4 * HOUR, oldHour = T - 3 * 86_400;
  const yesterday = T - 43_200 - 86_400, twoDaysAgo = yesterday - 86_400;
  const rows = (stream: string) => app.stack.ingestion.rows(stream);

  before(async () => {
    app = await startLocalApp(NOW);
    const others = USAGE_FAMILIES.filter((f) => f !== "moderations");
    app.stack.openai.usage.add(generateUsageRecords(3_000, FROM, T - 120, 401, others));
    // The only moderations usage: one request in one hour, so a correction empties that bucket.
    app.stack.openai.usage.add([{ id: "mod-1", family: "moderations", at: emptiedHour + 600, group: { project_id: "proj_alpha", user_id: "user-ada", api_key_id: "key_ops", model: "omni-moderation-latest" }, counts: { input_tokens: 900, num_model_requests: 1 } }]);
    const startTime = iso(FROM);
    await createCollector(app, "org-usage", { dataType: "usage", friendlyName: "Org usage", apiKeySecretName: "openai-admin-key", startTime });
    await createCollector(app, "org-costs", { dataType: "costs", friendlyName: "Org costs", apiKeySecretName: "openai-admin-key", startTime });
    await app.advance(HOUR * 1_000);

    // Revisions, visible 10 minutes from now, all in buckets that were read already.
    revisedAtMs = app.clock.now() + 600_000;
    const costsNow = app.stack.openai.usage.results("costs", yesterday, yesterday + 86_400, ["project_id", "line_item", "api_key_id"], app.clock.now());
    const credited = costsNow[0]!;
    app.stack.openai.usage.add([
      { id: "late-1", family: "completions", at: lateHour + 100, group: { project_id: "proj_beta", user_id: "user-bob", api_key_id: "key_web", model: "gpt-4o-2024-08-06", batch: false, service_tier: "default" }, counts: { input_tokens: 5_000, output_tokens: 700, num_model_requests: 3 }, visibleAtMs: revisedAtMs },
      { id: "mod-1-correction", family: "moderations", at: emptiedHour + 601, group: { project_id: "proj_alpha", user_id: "user-ada", api_key_id: "key_ops", model: "omni-moderation-latest" }, counts: { input_tokens: -900, num_model_requests: -1 }, visibleAtMs: revisedAtMs },
      { id: "old-1", family: "completions", at: oldHour + 100, group: { project_id: "proj_beta", user_id: "user-bob", api_key_id: "key_web", model: "gpt-4o-2024-08-06", batch: false, service_tier: "default" }, counts: { input_tokens: 9_000, output_tokens: 900, num_model_requests: 2 }, visibleAtMs: revisedAtMs },
    ]);
    app.stack.openai.usage.addCostAdjustments([
      // A credit that cancels one line of yesterday (the group disappears), and a fee on the day before.
      { id: "credit-1", at: yesterday + 60, lineItem: String(credited.line_item), projectId: String(credited.project_id), apiKeyId: String(credited.api_key_id), amount: -(credited.amount as { value: number }).value, visibleAtMs: revisedAtMs },
      { id: "fee-1", at: twoDaysAgo + 60, lineItem: "support fee", projectId: "proj_alpha", amount: 12.5, visibleAtMs: revisedAtMs },
    ]);
    await app.advance(HOUR * 1_000);
  });
  after(async () => { await app.stop(); });

  it("the parsers' result equals what the API says now, but for a revision older than the window, which keeps the value read", () => {
    const nowMs = app.clock.now();
    for (const family of USAGE_FAMILIES) {
      const expected = apiSays(app, family, FROM, nowMs, "1h", USAGE_SETTLE_SECONDS);
      if (family === "completions") {
        // The hour 3 days back changed after the 24-hour revision window: the rows keep what was read.
        const readBefore = apiSays(app, family, oldHour, revisedAtMs - 1, "1h", USAGE_SETTLE_SECONDS);
        for (const [key] of expected) if (key.startsWith(iso(oldHour))) expected.delete(key);
        for (const [key, value] of readBefore) if (key.startsWith(iso(oldHour))) expected.set(key, value);
      }
      assert.deepEqual(parserSays(parserResult(rows(USAGE_TABLE.streamName).filter((r) => r.Family === family)), family), expected, family);
    }
    assert.deepEqual(parserSays(parserResult(rows(COSTS_TABLE.streamName)), "costs"), apiSays(app, "costs", FROM, nowMs, "1d", COSTS_SETTLE_SECONDS));
  });

  it("writes a revised bucket again as a whole snapshot, and no other bucket twice", () => {
    const snapshots = new Map<string, Set<string>>();
    for (const r of [...rows(USAGE_TABLE.streamName), ...rows(COSTS_TABLE.streamName)]) {
      const key = `${(r.Family as string | undefined) ?? "costs"}@${String(r.BucketStart)}`;
      snapshots.set(key, (snapshots.get(key) ?? new Set()).add(String(r.CollectedAt)));
    }
    const twice = [...snapshots].filter(([, s]) => s.size > 1).map(([k]) => k).sort();
    // The late usage 3 days back also changed that day's costs, which are inside the week costs are re-read.
    assert.deepEqual(twice, [`completions@${iso(lateHour)}`, `costs@${iso(oldHour - 43_200)}`, `costs@${iso(twoDaysAgo)}`, `costs@${iso(yesterday)}`, `moderations@${iso(emptiedHour)}`].sort());
    const revision = (family: string, start: number) => rows(family === "costs" ? COSTS_TABLE.streamName : USAGE_TABLE.streamName)
      .filter((r) => (r.Family ?? "costs") === family && r.BucketStart === iso(start) && r.IsRevision === true);
    const firstOf = (family: string, start: number) => rows(family === "costs" ? COSTS_TABLE.streamName : USAGE_TABLE.streamName)
      .filter((r) => (r.Family ?? "costs") === family && r.BucketStart === iso(start) && r.IsRevision === false);
    // A revised bucket's new snapshot has every group of the bucket, changed or not, each once.
    const yesterdayNow = app.stack.openai.usage.results("costs", yesterday, yesterday + 86_400, ["project_id", "line_item", "api_key_id"], app.clock.now());
    assert.deepEqual([revision("costs", yesterday).length, new Set(revision("costs", yesterday).map((r) => r.Id)).size, firstOf("costs", yesterday).length - 1], [yesterdayNow.length, yesterdayNow.length, yesterdayNow.length]);
    // The emptied bucket gets one row that says so, which the parser drops.
    assert.deepEqual(revision("moderations", emptiedHour).map((r: Row) => [r.SnapshotResults, r.InputTokens ?? null, r.ProjectId ?? null]), [[0, null, null]]);
  });

  it("summing the rows without the parser would double-count every revised bucket", () => {
    const naive = naiveSums(rows(USAGE_TABLE.streamName).filter((r) => r.Family === "completions"), "completions");
    const parsed = naiveSums(parserResult(rows(USAGE_TABLE.streamName).filter((r) => r.Family === "completions")), "completions");
    const differ = [...naive].filter(([bucket, sum]) => sum !== parsed.get(bucket)).map(([bucket]) => bucket);
    assert.deepEqual(differ, [iso(lateHour)]);
  });
});
