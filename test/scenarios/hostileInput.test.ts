/**
 * The management API under hostile and careless input, through the real registered functions on
 * the local durable host: every bad field named with what is wrong (all at once), start times that
 * are impossible, in the future or before anything could exist, names with control and bidi
 * characters — each refused with nothing created or changed.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startLocalApp, type LocalApp } from "../fakes/localApp";
import { runtimeStatuses } from "./helpers";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const valid = { dataType: "auditLogs", friendlyName: "Org audit", apiKeySecretName: "openai-admin-key" };
type ErrorBody = { error: { code: string; message: string; field?: string; details?: Array<{ code: string; field: string; message: string }> } };

describe("management API, hostile input", () => {
  let app: LocalApp;
  before(async () => { app = await startLocalApp(NOW); });
  after(async () => { await app.stop(); });

  const refused: Array<[string, unknown, string, string]> = [
    ["a number as friendlyName", { ...valid, friendlyName: 5 }, "friendlyName", "friendlyName must be a string, not the number 5"],
    ["a number as startTime", { ...valid, startTime: 0 }, "startTime", "startTime must be a string, not the number 0"],
    ["a string as pollIntervalSeconds", { ...valid, pollIntervalSeconds: "120" }, "pollIntervalSeconds", "pollIntervalSeconds must be a number, not the string \"120\""],
    ["60.5 as pollIntervalSeconds", { ...valid, pollIntervalSeconds: 60.5 }, "pollIntervalSeconds", "pollIntervalSeconds must be a whole number"],
    ["1e400 as pollIntervalSeconds", `{"dataType":"auditLogs","friendlyName":"x","apiKeySecretName":"k","pollIntervalSeconds":1e400}`, "pollIntervalSeconds", "pollIntervalSeconds must be a finite number"],
    ["a JSON array body", [valid], "body", "body must be a JSON object, not an array"],
    ["a JSON null body", "null", "body", "body must be a JSON object, not null"],
    ["an impossible date", { ...valid, startTime: "2026-02-30T00:00:00Z" }, "startTime", "startTime is not a real date: February 2026 has 28 days (2026-02-30T00:00:00Z)"],
    ["a start time in 9999", { ...valid, startTime: "9999-12-31T23:59:59Z" }, "startTime",
      "startTime is in the future (9999-12-31T23:59:59.000Z; now is 2026-11-25T12:00:00.000Z): a collector collects what already happened, so give a time up to now"],
    ["a start time in 1969", { ...valid, startTime: "1969-12-31T23:59:59Z" }, "startTime", "startTime must not be before 2024-01-01T00:00:00.000Z (auditLogs cannot hold anything older); got 1969-12-31T23:59:59Z"],
    ["a NUL in friendlyName", { ...valid, friendlyName: "Org\u0000" }, "friendlyName", "friendlyName must not contain control or bidirectional-formatting characters (U+0000 at character 4)"],
    ["a BEL in friendlyName", { ...valid, friendlyName: "\u0007Org" }, "friendlyName", "friendlyName must not contain control or bidirectional-formatting characters (U+0007 at character 1)"],
    ["a right-to-left override in friendlyName", { ...valid, friendlyName: "Org \u202Etidua" }, "friendlyName", "friendlyName must not contain control or bidirectional-formatting characters (U+202E at character 5)"],
  ];
  for (const [name, body, field, message] of refused) {
    it(`refuses ${name} with 400 naming ${field} and what is wrong, and creates nothing`, async () => {
      const res = await app.api("PUT", "/api/collectors/hostile", body);
      const error = (res.body as ErrorBody).error;
      assert.deepEqual([res.status, error.code, error.field, error.message, error.details], [400, "InvalidField", field, message, [{ code: "InvalidField", field, message }]]);
      assert.deepEqual([(await app.api("GET", "/api/collectors/hostile")).status, runtimeStatuses(app)], [404, []]);
    });
  }

  it("answers every problem of a body at once: the first in error.field, all in error.details", async () => {
    const res = await app.api("PUT", "/api/collectors/hostile", { dataType: "auditLogs", friendlyName: 5, apiKeySecretName: "openai-admin-key", pollIntervalSeconds: "120", startTime: "2026-02-30T00:00:00Z" });
    const error = (res.body as ErrorBody).error;
    assert.deepEqual([res.status, error.field, error.details?.map((d) => d.field)], [400, "friendlyName", ["friendlyName", "pollIntervalSeconds", "startTime"]]);
  });

  it("accepts a start time within five minutes of clock skew, and refuses the same checks on reset, with or without a body", async () => {
    const created = await app.api("PUT", "/api/collectors/skew", { ...valid, startTime: "2026-11-25T12:04:00Z" });
    assert.equal(created.status, 201, created.text);
    const resets = await Promise.all(["2026-02-30T00:00:00Z", "9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z", "1969-12-31T23:59:59Z"].map((startTime) => app.api("POST", "/api/collectors/skew/reset", { startTime })));
    assert.deepEqual(resets.map((r) => [r.status, (r.body as ErrorBody).error.field, (r.body as ErrorBody).error.message.split(" (")[0]]), [
      [400, "startTime", "startTime is not a real date: February 2026 has 28 days"],
      [400, "startTime", "startTime is in the future"],
      [400, "startTime", "startTime must not be before 2024-01-01T00:00:00.000Z"],
      [400, "startTime", "startTime must not be before 2024-01-01T00:00:00.000Z"],
    ]);
    const got = (await app.api("GET", "/api/collectors/skew")).body as { startTime: string; definitionVersion: number };
    assert.deepEqual([got.startTime, got.definitionVersion], ["2026-11-25T12:04:00.000Z", 1]);

    // A definition saved before these checks existed, with a start time in 9999: a reset without a body would reuse it.
    await app.host.signalEntity("collector", "legacy", "configure", { definition: { id: "legacy", ...valid, pollIntervalSeconds: 300, startTime: "9999-01-01T00:00:00.000Z", version: 1 }, desired: "stopped" });
    await app.host.idle();
    const reuse = await app.api("POST", "/api/collectors/legacy/reset");
    assert.deepEqual([reuse.status, (reuse.body as ErrorBody).error.field, (reuse.body as ErrorBody).error.message.split(" (")[0], (reuse.body as ErrorBody).error.message.endsWith("; give a startTime in the body")],
      [400, "startTime", "the saved startTime is in the future", true]);
  });
});
