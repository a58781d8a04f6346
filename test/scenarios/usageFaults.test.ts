/**
 * Usage and costs under faults: 429s with a long Retry-After (a durable back-off, never a busy
 * retry), short ones (waited out in the call), a quota 429, a page that contradicts itself, and a
 * `page` cursor the API stops accepting. Nothing lost, no bucket read twice, never Failed.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { generateUsageRecords } from "../../src/local/fakes/generateUsage";
import { CONNECTOR_HEALTH_STREAM } from "../../src/config";
import { COSTS_TABLE, USAGE_TABLE } from "../../src/schema/tables";
import { USAGE_FAMILIES } from "../../src/usage/series";
import { replayMismatches, startLocalApp, type LocalApp } from "../fakes/localApp";
import { parserResult } from "../fakes/snapshotRule";
import { createCollector, runtimeStatuses } from "./helpers";
import { apiSays, COSTS_SETTLE_SECONDS, parserSays, USAGE_SETTLE_SECONDS } from "./usageExpectations";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const T = NOW / 1000;
const FROM = T - 20 * 86_400;
const RATE_LIMITED = { error: { message: "Rate limit reached for requests", type: "requests", param: null, code: "rate_limit_exceeded" } };

describe("usage and costs under faults", () => {
  let app: LocalApp;
  const snapshotsTwice = () => {
    const seen = new Map<string, Set<unknown>>();
    for (const r of [...app.stack.ingestion.rows(USAGE_TABLE.streamName), ...app.stack.ingestion.rows(COSTS_TABLE.streamName)]) {
      const key = `${(r.Family as string | undefined) ?? "costs"}@${String(r.BucketStart)}`;
      seen.set(key, (seen.get(key) ?? new Set()).add(r.CollectedAt));
    }
    return [...seen].filter(([, s]) => s.size > 1).map(([k]) => k);
  };
  const assertParsersAgreeWithApi = () => {
    const nowMs = app.clock.now();
    for (const family of USAGE_FAMILIES) {
      assert.deepEqual(parserSays(parserResult(app.stack.ingestion.rows(USAGE_TABLE.streamName).filter((r) => r.Family === family)), family), apiSays(app, family, FROM, nowMs, "1h", USAGE_SETTLE_SECONDS), family);
    }
    assert.deepEqual(parserSays(parserResult(app.stack.ingestion.rows(COSTS_TABLE.streamName)), "costs"), apiSays(app, "costs", FROM, nowMs, "1d", COSTS_SETTLE_SECONDS));
  };

  before(async () => {
    app = await startLocalApp(NOW);
    app.stack.openai.usage.add(generateUsageRecords(4_000, FROM, T - 120, 501));
  });
  after(async () => { await app.stop(); });

  it("backs off on 429s with a long Retry-After, waits out short ones in the call, and loses nothing", async () => {
    app.stack.openai.injectFault({ kind: "status", status: 429, headers: { "retry-after": "120" }, body: RATE_LIMITED }, 6, "/organization/usage/");
    app.stack.openai.injectFault({ kind: "status", status: 429, headers: { "retry-after": "1" }, body: RATE_LIMITED }, 2, "/organization/costs");
    const startTime = new Date(FROM * 1000).toISOString();
    await createCollector(app, "org-usage", { dataType: "usage", friendlyName: "Org usage", apiKeySecretName: "openai-admin-key", startTime });
    await createCollector(app, "org-costs", { dataType: "costs", friendlyName: "Org costs", apiKeySecretName: "openai-admin-key", startTime });
    await app.advance(2 * 3_600_000);
    // The health table shows each back-off and how long it waited: the server's 120 seconds.
    const health = app.stack.ingestion.rows(CONNECTOR_HEALTH_STREAM).filter((r) => r.State === "backingOff");
    assert.deepEqual([...new Set(health.map((r) => `${String(r.CollectorId)} ${String(r.LastErrorKind)} ${(Date.parse(String(r.NextRunAt)) - Date.parse(String(r.TimeGenerated))) / 1000}`))], ["org-usage throttled 120"]);
    const usage = (await app.api("GET", "/api/collectors/org-usage")).body as { status: string; lastError: { kind: string; message: string } };
    assert.deepEqual([usage.status, usage.lastError.kind], ["running", "throttled"]);
    assert.match(usage.lastError.message, /organization\/usage\/\w+ → HTTP 429: rate limited/);
    const throttled = app.stack.openai.requests.filter((r) => r.status === 429).length;
    assert.equal(throttled, 8);
    assertParsersAgreeWithApi();
    assert.deepEqual(snapshotsTwice(), []);
  });

  it("waits 15 minutes on a quota 429, which needs a person, and goes on when it is lifted", async () => {
    const before = app.stack.ingestion.rows(USAGE_TABLE.streamName).length;
    app.stack.openai.usage.add(generateUsageRecords(500, app.clock.now() / 1000 - 600, app.clock.now() / 1000 + 3_000, 502));
    app.stack.openai.injectFault({ kind: "status", status: 429, body: { error: { message: "You exceeded your current quota, please check your plan and billing details.", type: "insufficient_quota", param: null, code: "insufficient_quota" } } }, 30, "/organization/usage/");
    await app.advance(20 * 60_000);
    const blocked = (await app.api("GET", "/api/collectors/org-usage")).body as { status: string; lastError: { message: string }; nextRunAt: string };
    assert.equal(blocked.status, "backingOff");
    assert.match(blocked.lastError.message, /quota exhausted.*Add credits/);
    await app.advance(3 * 3_600_000);
    assert.ok(app.stack.ingestion.rows(USAGE_TABLE.streamName).length > before);
    assertParsersAgreeWithApi();
    assert.deepEqual(snapshotsTwice(), []);
  });

  it("refuses a page that contradicts itself, keeps the cursor, and goes on once the API answers sanely", async () => {
    const contradiction = JSON.stringify({ object: "page", data: [], has_more: true, next_page: null });
    app.stack.openai.usage.add(generateUsageRecords(400, app.clock.now() / 1000 - 600, app.clock.now() / 1000 + 3_000, 503));
    app.stack.openai.injectFault({ kind: "malformed", body: contradiction }, 12, "/organization/costs");
    const costsBefore = (await app.api("GET", "/api/collectors/org-costs")).body as { cursor: { watermark: string } };
    await app.advance(10 * 60_000);
    const during = (await app.api("GET", "/api/collectors/org-costs")).body as { status: string; lastError: { message: string }; cursor: { watermark: string } };
    assert.equal(during.status, "backingOff");
    assert.match(during.lastError.message, /malformed response: the page says has_more but gives no next_page/);
    assert.equal(during.cursor.watermark, costsBefore.cursor.watermark);
    await app.advance(3 * 3_600_000);
    const after = (await app.api("GET", "/api/collectors/org-costs")).body as { status: string };
    assert.equal(after.status, "running");
    assertParsersAgreeWithApi();
  });

  it("starts a new query where delivery stopped when the API no longer accepts a page cursor", async () => {
    await app.api("DELETE", "/api/collectors/org-usage");
    let rejected = 0;
    app.stack.openai.onRequest = (path, query) => {
      if (path.endsWith("/usage/completions") && query.get("page") && rejected < 2) {
        rejected++;
        app.stack.openai.injectFault({ kind: "status", status: 400, body: { error: { message: "Invalid page cursor.", type: "invalid_request_error", param: "page", code: null } } }, 1, "/usage/completions");
      }
    };
    const before = app.stack.ingestion.rows(USAGE_TABLE.streamName).length;
    // 40 days back: the slices of one family are 2 pages each, so the second page needs the cursor.
    const from = T - 40 * 86_400;
    await createCollector(app, "org-usage-2", { dataType: "usage", friendlyName: "Org usage", apiKeySecretName: "openai-admin-key", families: ["completions"], startTime: new Date(from * 1000).toISOString() });
    await app.advance(3_600_000);
    app.stack.openai.onRequest = undefined;
    assert.equal(rejected, 2);
    const rows = app.stack.ingestion.rows(USAGE_TABLE.streamName).slice(before);
    assert.deepEqual(parserSays(parserResult(rows), "completions"), apiSays(app, "completions", from, app.clock.now(), "1h", USAGE_SETTLE_SECONDS));
    const buckets = rows.map((r) => `${String(r.BucketStart)}@${String(r.CollectedAt)}`);
    const perBucket = new Map<string, number>();
    for (const b of new Set(buckets)) perBucket.set(b.split("@")[0]!, (perBucket.get(b.split("@")[0]!) ?? 0) + 1);
    assert.deepEqual([...perBucket].filter(([, n]) => n > 1), []);
    assert.deepEqual(runtimeStatuses(app).sort(), ["collector-org-costs:Running", "collector-org-usage-2:Running"]);
    assert.deepEqual(await replayMismatches(app.host), []);
  });
});
