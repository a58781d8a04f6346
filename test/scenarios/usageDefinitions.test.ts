/**
 * Usage and costs collectors through the management API: bad definitions are refused with the
 * field named and nothing stored; a key of the wrong kind in the named secret is refused before
 * anything is created; the bucket width cannot change; families can, and a new family is read from
 * the start time while the others keep their cursor.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { generateUsageRecords } from "../../src/local/fakes/generateUsage";
import { USAGE_TABLE } from "../../src/schema/tables";
import { startLocalApp, type LocalApp } from "../fakes/localApp";
import { parserResult } from "../fakes/snapshotRule";
import { createCollector } from "./helpers";
import { apiSays, parserSays, USAGE_SETTLE_SECONDS } from "./usageExpectations";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const T = NOW / 1000;
const FROM = T - 3 * 86_400;

describe("usage and costs definitions", () => {
  let app: LocalApp;
  before(async () => {
    app = await startLocalApp(NOW);
    app.stack.openai.usage.add(generateUsageRecords(1_000, FROM, T - 120, 601));
    app.stack.vault.setSecret("wrong-kind-key", "sk-proj-test-not-an-admin-key");
    app.stack.vault.setSecret("admin-shaped-key", "sk-admin-test-0004");
  });
  after(async () => { await app.stop(); });

  const base = { friendlyName: "Org usage", apiKeySecretName: "openai-admin-key" };
  const cases: Array<[string, Record<string, unknown>, number, { code: string; field: string; message: RegExp }]> = [
    ["an unknown family", { ...base, dataType: "usage", families: ["completions", "chat"] }, 400, { code: "InvalidField", field: "families.1", message: /^families\.1 must be one of "completions", "embeddings", .*"web_search_calls"$/ }],
    ["no family", { ...base, dataType: "usage", families: [] }, 400, { code: "InvalidField", field: "families", message: /at least one usage family/ }],
    ["a family twice", { ...base, dataType: "usage", families: ["images", "images"] }, 400, { code: "InvalidField", field: "families", message: /each family once/ }],
    ["families on costs", { ...base, dataType: "costs", families: ["completions"] }, 400, { code: "InvalidField", field: "families", message: /families applies to dataType "usage" only, not "costs"/ }],
    ["families on audit logs", { ...base, dataType: "auditLogs", families: ["completions"] }, 400, { code: "InvalidField", field: "families", message: /"usage" only, not "auditLogs"/ }],
    ["an unknown bucket width", { ...base, dataType: "usage", bucketWidth: "5m" }, 400, { code: "InvalidField", field: "bucketWidth", message: /^bucketWidth must be one of "1m", "1h", "1d"$/ }],
    ["hourly costs", { ...base, dataType: "costs", bucketWidth: "1h" }, 400, { code: "InvalidField", field: "bucketWidth", message: /must be "1d" for costs/ }],
    ["a bucket width on chat completions", { ...base, apiKeySecretName: "openai-project-key", dataType: "chatCompletions", bucketWidth: "1h" }, 400, { code: "InvalidField", field: "bucketWidth", message: /"usage" and "costs" only/ }],
    ["a project key for usage", { ...base, dataType: "usage", apiKeySecretName: "wrong-kind-key" }, 400, { code: "InvalidField", field: "apiKeySecretName", message: /^apiKeySecretName: The secret "wrong-kind-key" holds a project API key \(sk-proj- or sk-svcacct-…\), but usage data need an organization admin API key\. An organization owner creates it/ }],
    ["a project key for costs", { ...base, dataType: "costs", apiKeySecretName: "wrong-kind-key" }, 400, { code: "InvalidField", field: "apiKeySecretName", message: /but costs need an organization admin API key/ }],
    ["an admin key for chat completions", { ...base, dataType: "chatCompletions", apiKeySecretName: "admin-shaped-key" }, 400, { code: "InvalidField", field: "apiKeySecretName", message: /holds an organization admin API key .*but stored chat completions need a project API key/ }],
  ];
  for (const [name, body, status, error] of cases) {
    it(`refuses ${name} with the field named, and stores nothing`, async () => {
      const res = await app.api("PUT", "/api/collectors/bad-one", body);
      const e = (res.body as { error: { code: string; field: string; message: string } }).error;
      assert.deepEqual([res.status, e.code, e.field], [status, error.code, error.field]);
      assert.match(e.message, error.message);
      assert.equal((await app.api("GET", "/api/collectors/bad-one")).status, 404);
    });
  }

  it("accepts an admin-shaped key for usage, and keys whose prefix tells nothing", async () => {
    await createCollector(app, "usage-a", { ...base, dataType: "usage", apiKeySecretName: "admin-shaped-key", families: ["images"] });
    await createCollector(app, "usage-b", { ...base, dataType: "usage", apiKeySecretName: "not-yet-in-the-vault", families: ["images"] });
    for (const id of ["usage-a", "usage-b"]) assert.equal((await app.api("DELETE", `/api/collectors/${id}`)).status, 204);
  });

  it("keeps the bucket width, refuses to change it, and keeps families left out of a change", async () => {
    await createCollector(app, "org-usage", { ...base, dataType: "usage", families: ["completions", "embeddings"], bucketWidth: "1h", startTime: new Date(FROM * 1000).toISOString() });
    const changed = await app.api("PUT", "/api/collectors/org-usage", { ...base, dataType: "usage", bucketWidth: "1d" });
    const e = (changed.body as { error: { code: string; field: string; message: string } }).error;
    assert.deepEqual([changed.status, e.code, e.field], [409, "DefinitionConflict", "bucketWidth"]);
    assert.match(e.message, /cannot change from "1h" to "1d"/);
    const renamed = await app.api("PUT", "/api/collectors/org-usage", { ...base, friendlyName: "Renamed", dataType: "usage", bucketWidth: "1h" });
    assert.equal(renamed.status, 200, renamed.text);
    await app.advance(3_600_000);
    const families = new Set(app.stack.ingestion.rows(USAGE_TABLE.streamName).map((r) => r.Family));
    assert.deepEqual([...families].sort(), ["completions", "embeddings"]);
  });

  it("adds a family to a running collector: the new one is read from the start time, the others keep their cursor", async () => {
    const before = app.stack.openai.requests.filter((r) => r.path.endsWith("/usage/completions") && r.status === 200).map((r) => Number(r.query.get("start_time")));
    const res = await app.api("PUT", "/api/collectors/org-usage", { ...base, dataType: "usage", families: ["completions", "embeddings", "audio_speeches"] });
    assert.equal(res.status, 200, res.text);
    await app.advance(3_600_000);
    const rows = app.stack.ingestion.rows(USAGE_TABLE.streamName);
    assert.deepEqual(parserSays(parserResult(rows.filter((r) => r.Family === "audio_speeches")), "audio_speeches"), apiSays(app, "audio_speeches", FROM, app.clock.now(), "1h", USAGE_SETTLE_SECONDS));
    const later = app.stack.openai.requests.filter((r) => r.path.endsWith("/usage/completions") && r.status === 200).map((r) => Number(r.query.get("start_time"))).slice(before.length);
    assert.ok(later.length > 0 && later.every((start) => start > T - 86_400 - 3_600), `completions re-read from ${Math.min(...later)}, not from the start time ${FROM}`);
  });
});
