import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseDeclaredCollectors } from "../../src/collectors/reconcile";
import { ConfigError } from "../../src/config";
import { nextOccurrence } from "../../src/local/timers";
import { parseDotEnv } from "../../src/local/settingsFiles";
import { secretEnvName } from "../../src/local/localServices";
import { matchRoute } from "../../src/local/router";
import type { RegisteredFunction } from "../../src/local/functionsCore";

describe("nextOccurrence (NCRONTAB)", () => {
  const at = (iso: string) => Date.parse(iso);
  const cases: Array<[string, string, string]> = [
    ["0 */5 * * * *", "2026-11-25T12:03:17Z", "2026-11-25T12:05:00.000Z"],
    ["0 */5 * * * *", "2026-11-25T12:05:00Z", "2026-11-25T12:10:00.000Z"],
    ["30 0 9 * * 1-5", "2026-11-27T10:00:00Z", "2026-11-30T09:00:30.000Z"],
    ["0 0 0 1 1 *", "2026-11-25T00:00:00Z", "2027-01-01T00:00:00.000Z"],
    ["*/20 * * * * *", "2026-11-25T12:00:41Z", "2026-11-25T12:01:00.000Z"],
  ];
  for (const [expr, after, expected] of cases) it(`${expr} after ${after}`, () => assert.equal(new Date(nextOccurrence(expr, at(after))).toISOString(), expected));
  it("rejects malformed expressions", () => {
    assert.throws(() => nextOccurrence("*/5 * * * *", 0), /6 fields/);
    assert.throws(() => nextOccurrence("0 61 * * * *", 0), /bad NCRONTAB field/);
  });
});

describe("parseDeclaredCollectors (COLLECTORS)", () => {
  it("reads the Bicep parameter's JSON", () => {
    assert.deepEqual(parseDeclaredCollectors('[{"id":"a","dataType":"auditLogs","friendlyName":"A","apiKeySecretName":"k","pollIntervalSeconds":300}]'),
      [{ id: "a", dataType: "auditLogs", friendlyName: "A", apiKeySecretName: "k", pollIntervalSeconds: 300 }]);
    assert.deepEqual([parseDeclaredCollectors(undefined), parseDeclaredCollectors(" ")], [[], []]);
  });
  for (const [name, json, message] of [
    ["not JSON", "[{", /must be a JSON array/],
    ["a bad id", '[{"id":"A B","dataType":"auditLogs","friendlyName":"A","apiKeySecretName":"k"}]', /entry 0: id must be/],
    ["a key instead of a secret name", '[{"id":"a","dataType":"auditLogs","friendlyName":"A","apiKeySecretName":"sk-live_abc"}]', /entry 0: apiKeySecretName must be a Key Vault secret name/],
    ["a duplicate id", '[{"id":"a","dataType":"auditLogs","friendlyName":"A","apiKeySecretName":"k"},{"id":"a","dataType":"chatCompletions","friendlyName":"B","apiKeySecretName":"k"}]', /twice/],
  ] as const) {
    it(`names COLLECTORS for ${name}`, () => assert.throws(() => parseDeclaredCollectors(json), (e: unknown) => e instanceof ConfigError && e.setting === "COLLECTORS" && message.test(e.message)));
  }
});

describe("local settings", () => {
  it("parses .env lines, quotes and comments, and refuses junk", () => {
    assert.deepEqual(parseDotEnv('# comment\nA=1\nexport B="two words"\n\nC=\'x=y\'\n'), { A: "1", B: "two words", C: "x=y" });
    assert.throws(() => parseDotEnv("not a setting"), /expected NAME=value/);
  });
  it("maps secret names to environment variables", () => {
    assert.deepEqual(["openai-admin-key", "Project-Key-2"].map(secretEnvName), ["OPENAI_ADMIN_KEY", "PROJECT_KEY_2"]);
  });
});

describe("matchRoute", () => {
  const fn = (name: string, route: string, methods: string[]): RegisteredFunction => ({ name, triggerType: "httpTrigger", triggerName: "t", handler: () => undefined, bindings: { t: { type: "httpTrigger", direction: "in", route, methods } } });
  const functions = [fn("get", "collectors/{id}", ["GET"]), fn("start", "collectors/{id}/start", ["POST"]), fn("list", "collectors", ["GET"])];
  it("matches routes with parameters and methods", () => {
    const m = matchRoute(functions, "POST", "collectors/org%2Dx/start");
    assert.deepEqual(m !== undefined && m !== "methodNotAllowed" ? [m.fn.name, m.params] : m, ["start", { id: "org-x" }]);
    assert.deepEqual([matchRoute(functions, "DELETE", "collectors/a"), matchRoute(functions, "GET", "nope")], ["methodNotAllowed", undefined]);
  });
});
