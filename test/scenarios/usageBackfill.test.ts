/**
 * Usage and costs backfill: 30 days of every usage family and of costs, read by a usage and a costs
 * collector from a start time 30 days back. What the parsers return over the accepted rows must be
 * exactly what the API says for every settled bucket and group, and every group dimension must be
 * asked for and filled.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { generateCompletions } from "../../src/local/fakes/generate";
import { generateUsageRecords } from "../../src/local/fakes/generateUsage";
import { COSTS_TABLE, USAGE_TABLE } from "../../src/schema/tables";
import { BUCKET_SECONDS, USAGE_FAMILIES, type SeriesName } from "../../src/usage/series";
import { replayMismatches, startLocalApp, type LocalApp } from "../fakes/localApp";
import { parserResult, type Row } from "../fakes/snapshotRule";
import { createCollector, runtimeStatuses } from "./helpers";
import { apiSays, column, COSTS_SETTLE_SECONDS, parserSays, specOf, USAGE_SETTLE_SECONDS } from "./usageExpectations";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const T = NOW / 1000;
const DAYS = 30;

describe("usage and costs backfill of 30 days", () => {
  let app: LocalApp;
  before(async () => {
    app = await startLocalApp(NOW, { usageAttribution: (c) => ({ projectId: "proj_chat", apiKeyId: `key_chat_${c.id.length % 3}`, userId: "user-chat" }) });
    app.stack.openai.addCompletions(generateCompletions(1_500, T - DAYS * 86_400, T - 120, 301));
    app.stack.openai.usage.add(generateUsageRecords(6_000, T - DAYS * 86_400, T - 120, 302));
    app.stack.openai.usage.add(generateUsageRecords(300, T - 40 * 86_400, T - DAYS * 86_400 - 86_400, 303)); // before the start time: never read
    const startTime = new Date(NOW - DAYS * 86_400_000).toISOString();
    await createCollector(app, "org-usage", { dataType: "usage", friendlyName: "Org usage", apiKeySecretName: "openai-admin-key", startTime });
    await createCollector(app, "org-costs", { dataType: "costs", friendlyName: "Org costs", apiKeySecretName: "openai-admin-key", startTime });
    await app.advance(2 * 3_600_000);
  });
  after(async () => { await app.stop(); });

  it("the parsers return what the API says for every settled bucket and group of every family and of costs", () => {
    const nowMs = app.clock.now();
    const usageRows = app.stack.ingestion.rows(USAGE_TABLE.streamName);
    const costRows = app.stack.ingestion.rows(COSTS_TABLE.streamName);
    for (const family of USAGE_FAMILIES) {
      const expected = apiSays(app, family, T - DAYS * 86_400, nowMs, "1h", USAGE_SETTLE_SECONDS);
      assert.ok(expected.size > 24 * DAYS * 0.5, `${family}: only ${expected.size} groups in the data`);
      assert.deepEqual(parserSays(parserResult(usageRows.filter((r) => r.Family === family)), family), expected, family);
    }
    const expectedCosts = apiSays(app, "costs", T - DAYS * 86_400, nowMs, "1d", COSTS_SETTLE_SECONDS);
    assert.ok(expectedCosts.size > DAYS * 10, `${expectedCosts.size} cost groups`);
    assert.deepEqual(parserSays(parserResult(costRows), "costs"), expectedCosts);
  });

  it("reads every settled bucket once: no bucket has a second snapshot when nothing was revised", () => {
    const snapshots = new Map<string, Set<unknown>>();
    for (const r of [...app.stack.ingestion.rows(USAGE_TABLE.streamName), ...app.stack.ingestion.rows(COSTS_TABLE.streamName)]) {
      const key = `${(r.Family as string | undefined) ?? "costs"}:${String(r.BucketStart)}`;
      snapshots.set(key, (snapshots.get(key) ?? new Set()).add(r.CollectedAt));
    }
    assert.deepEqual([...snapshots].filter(([, s]) => s.size > 1).map(([k]) => k), []);
    assert.deepEqual([...app.stack.ingestion.duplicates.entries()].filter(([stream]) => stream.includes("Usage") || stream.includes("Costs")), []);
  });

  it("groups every family by every dimension its endpoint offers, and fills each dimension's column", () => {
    const asked = new Map<SeriesName, Set<string>>();
    for (const r of app.stack.openai.requests.filter((q) => q.path.includes("/organization/usage/") || q.path.endsWith("/organization/costs"))) {
      const series = (r.path.endsWith("/costs") ? "costs" : r.path.split("/").pop()) as SeriesName;
      asked.set(series, new Set([...(asked.get(series) ?? []), ...r.query.getAll("group_by[]")]));
    }
    const every = [...USAGE_FAMILIES, "costs"] as SeriesName[];
    assert.deepEqual(every.map((s) => [s, [...(asked.get(s) ?? [])].sort()]), every.map((s) => [s, [...specOf(s).groupBy].sort()]));
    const rows = [...app.stack.ingestion.rows(USAGE_TABLE.streamName), ...app.stack.ingestion.rows(COSTS_TABLE.streamName)];
    const unfilled = every.flatMap((s) => specOf(s).groupBy.filter((d) => !rows.some((r: Row) => (r.Family ?? "costs") === s && r[column(d)] !== undefined)).map((d) => `${s}.${d}`));
    assert.deepEqual(unfilled, []);
  });

  it("asks for whole pages of buckets of the collector's width, and keeps its state and history small", async () => {
    const usagePages = app.stack.openai.requests.filter((q) => q.path.includes("/organization/usage/") && q.status === 200);
    assert.deepEqual([...new Set(usagePages.map((q) => `${q.query.get("bucket_width")}/${q.query.get("limit")}`))], ["1h/168"]);
    const costPages = app.stack.openai.requests.filter((q) => q.path.endsWith("/organization/costs") && q.status === 200);
    assert.deepEqual([...new Set(costPages.map((q) => `${q.query.get("bucket_width")}/${q.query.get("limit")}`))], ["1d/180"]);
    for (const q of [...usagePages, ...costPages]) {
      const width = BUCKET_SECONDS[q.query.get("bucket_width") as "1h" | "1d"];
      assert.equal(Number(q.query.get("start_time")) % width, 0);
      assert.equal(Number(q.query.get("end_time")) % width, 0);
    }
    for (const r of app.host.instances.values()) assert.ok(Buffer.byteLength(JSON.stringify(r.input)) < 6_000, `${r.instanceId} state is ${Buffer.byteLength(JSON.stringify(r.input))} bytes`);
    assert.ok(app.host.stats.historyBytes / app.host.stats.generations < 20_000, `${app.host.stats.historyBytes / app.host.stats.generations} bytes of history per generation`);
    assert.deepEqual(runtimeStatuses(app).sort(), ["collector-org-costs:Running", "collector-org-usage:Running"]);
    const list = (await app.api("GET", "/api/collectors")).body as { collectors: Array<Record<string, unknown>> };
    assert.deepEqual(list.collectors.map((c) => [c.id, c.dataType, c.status, c.lastError, c.url]), [
      ["org-costs", "costs", "running", null, "https://api.openai.com/v1/organization/costs"],
      ["org-usage", "usage", "running", null, "https://api.openai.com/v1/organization/usage"],
    ]);
    assert.deepEqual(await replayMismatches(app.host), []);
  });
});
