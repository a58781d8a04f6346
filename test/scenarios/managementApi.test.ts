/** The management API: every kind of bad input, idempotent operations, lifecycle. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startLocalApp, type LocalApp } from "../fakes/localApp";
import { runtimeStatuses } from "./helpers";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const valid = { dataType: "auditLogs", friendlyName: "Org audit", apiKeySecretName: "openai-admin-key" };

describe("management API", () => {
  let app: LocalApp;
  before(async () => { app = await startLocalApp(NOW); });
  after(async () => { await app.stop(); });

  const badInputs: Array<[string, string, string, unknown, number, string, string | undefined]> = [
    ["an id with capitals", "PUT", "/api/collectors/Org", valid, 400, "InvalidCollectorId", "id"],
    ["an id too long", "PUT", `/api/collectors/${"a".repeat(65)}`, valid, 400, "InvalidCollectorId", "id"],
    ["an id with an underscore", "GET", "/api/collectors/org_audit", undefined, 400, "InvalidCollectorId", "id"],
    ["a body that is not JSON", "PUT", "/api/collectors/org", "{dataType:", 400, "InvalidJson", "body"],
    ["no body", "PUT", "/api/collectors/org", undefined, 400, "MissingBody", "body"],
    ["a JSON array", "PUT", "/api/collectors/org", [valid], 400, "InvalidField", "body"],
    ["a missing dataType", "PUT", "/api/collectors/org", { friendlyName: "x", apiKeySecretName: "k" }, 400, "InvalidField", "dataType"],
    ["an unknown dataType", "PUT", "/api/collectors/org", { ...valid, dataType: "billing" }, 400, "InvalidField", "dataType"],
    ["an empty friendlyName", "PUT", "/api/collectors/org", { ...valid, friendlyName: " " }, 400, "InvalidField", "friendlyName"],
    ["an API key instead of a secret name", "PUT", "/api/collectors/org", { ...valid, apiKeySecretName: "sk-admin-abc_def" }, 400, "InvalidField", "apiKeySecretName"],
    ["a poll interval under 60 s", "PUT", "/api/collectors/org", { ...valid, pollIntervalSeconds: 30 }, 400, "InvalidField", "pollIntervalSeconds"],
    ["a fractional poll interval", "PUT", "/api/collectors/org", { ...valid, pollIntervalSeconds: 90.5 }, 400, "InvalidField", "pollIntervalSeconds"],
    ["a poll interval as a string", "PUT", "/api/collectors/org", { ...valid, pollIntervalSeconds: "300" }, 400, "InvalidField", "pollIntervalSeconds"],
    ["a startTime without a zone", "PUT", "/api/collectors/org", { ...valid, startTime: "2026-11-01T00:00:00" }, 400, "InvalidField", "startTime"],
    ["a startTime that is not a date", "PUT", "/api/collectors/org", { ...valid, startTime: "yesterday" }, 400, "InvalidField", "startTime"],
    ["an unknown field", "PUT", "/api/collectors/org", { ...valid, apiKey: "x" }, 400, "InvalidField", "apiKey"],
    ["an unknown collector", "GET", "/api/collectors/nope", undefined, 404, "CollectorNotFound", undefined],
    ["starting an unknown collector", "POST", "/api/collectors/nope/start", undefined, 404, "CollectorNotFound", undefined],
    ["stopping an unknown collector", "POST", "/api/collectors/nope/stop", undefined, 404, "CollectorNotFound", undefined],
    ["resetting an unknown collector", "POST", "/api/collectors/nope/reset", undefined, 404, "CollectorNotFound", undefined],
    ["deleting an unknown collector", "DELETE", "/api/collectors/nope", undefined, 404, "CollectorNotFound", undefined],
  ];
  for (const [name, method, path, body, status, code, field] of badInputs) {
    it(`answers ${status} ${code} for ${name}, naming ${field ?? "nothing"}, and creates nothing`, async () => {
      const res = await app.api(method, path, body);
      const error = (res.body as { error: { code: string; message: string; field?: string } }).error;
      assert.deepEqual([res.status, error.code, error.field], [status, code, field]);
      assert.ok(error.message.length > 10, error.message);
      if (field && field !== "body" && field !== "id") assert.match(error.message, new RegExp(field));
      assert.deepEqual(runtimeStatuses(app), []);
    });
  }

  it("rejects a bad reset body and a change of dataType with a conflict, leaving the collector as it was", async () => {
    assert.equal((await app.api("PUT", "/api/collectors/org", valid)).status, 201);
    const conflict = await app.api("PUT", "/api/collectors/org", { ...valid, dataType: "chatCompletions" });
    const badReset = await app.api("POST", "/api/collectors/org/reset", { startTime: "soon" });
    assert.deepEqual([conflict.status, (conflict.body as { error: { code: string } }).error.code, badReset.status, (badReset.body as { error: { field: string } }).error.field], [409, "DataTypeConflict", 400, "startTime"]);
    const got = (await app.api("GET", "/api/collectors/org")).body as { dataType: string; definitionVersion: number };
    assert.deepEqual([got.dataType, got.definitionVersion], ["auditLogs", 1]);
  });

  it("updates a collector in place (200), keeping its instance and cursor", async () => {
    const before = app.host.instances.get("collector-org")!.createdTime;
    const res = await app.api("PUT", "/api/collectors/org", { ...valid, friendlyName: "Renamed", pollIntervalSeconds: 120 });
    await app.advance(1_000);
    const got = (await app.api("GET", "/api/collectors/org")).body as Record<string, unknown>;
    assert.deepEqual([res.status, got.friendlyName, got.pollIntervalSeconds, got.definitionVersion, app.host.instances.get("collector-org")!.createdTime], [200, "Renamed", 120, 2, before]);
  });

  it("starts idempotently: never a second instance", async () => {
    const results = await Promise.all([app.api("POST", "/api/collectors/org/start"), app.api("POST", "/api/collectors/org/start"), app.api("POST", "/api/collectors/org/start")]);
    assert.deepEqual(results.map((r) => r.status), [200, 200, 200]);
    assert.deepEqual(runtimeStatuses(app), ["collector-org:Running"]);
  });

  it("stops idempotently, then deletes everything about the collector", async () => {
    const first = await app.api("POST", "/api/collectors/org/stop");
    await app.advance(1_000);
    const second = await app.api("POST", "/api/collectors/org/stop");
    assert.deepEqual([first.status, (second.body as { status: string }).status, second.status], [202, "stopped", 200]);
    const deleted = await app.api("DELETE", "/api/collectors/org");
    assert.deepEqual([deleted.status, (await app.api("GET", "/api/collectors/org")).status, runtimeStatuses(app), app.host.readEntity("collector", "org").exists], [204, 404, [], false]);
    assert.deepEqual((await app.api("GET", "/api/collectors")).body, { collectors: [] });
  });

  it("answers 405 for a method the route does not take", async () => {
    assert.equal((await app.api("PATCH", "/api/collectors/org")).status, 405);
  });
});
