/** Usage and costs fields of collector definitions: the COLLECTORS setting, defaults, and what a change keeps. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { definitionFrom } from "../../src/collectors/collectorOps";
import { parseDeclaredCollectors } from "../../src/collectors/reconcile";
import { bucketWidthOf, seriesOf } from "../../src/usage/definition";
import { USAGE_FAMILIES } from "../../src/usage/series";

describe("usage definitions", () => {
  it("read every family hourly by default, and costs daily", () => {
    assert.deepEqual([seriesOf({ dataType: "usage" }), bucketWidthOf({ dataType: "usage" }), seriesOf({ dataType: "costs" }), bucketWidthOf({ dataType: "costs", bucketWidth: "1d" })], [[...USAGE_FAMILIES], "1h", ["costs"], "1d"]);
    assert.deepEqual([seriesOf({ dataType: "usage", families: ["images"] }), bucketWidthOf({ dataType: "usage", bucketWidth: "1m" })], [["images"], "1m"]);
  });

  it("declared in COLLECTORS are checked like PUT bodies, naming the entry and the field", () => {
    const declared = [{ id: "org-costs", dataType: "costs", friendlyName: "Costs", apiKeySecretName: "admin", families: ["completions"] }];
    assert.throws(() => parseDeclaredCollectors(JSON.stringify(declared)), /^ConfigError: Setting COLLECTORS entry 0: families applies to dataType "usage" only, not "costs"$/);
    assert.throws(() => parseDeclaredCollectors(JSON.stringify([{ ...declared[0], dataType: "usage", families: ["chat"] }])), /^ConfigError: Setting COLLECTORS entry 0: families\.0 must be one of "completions"/);
    assert.deepEqual(parseDeclaredCollectors(JSON.stringify([{ ...declared[0], dataType: "usage", bucketWidth: "1d" }])).map((c) => [c.families, c.bucketWidth]), [[["completions"], "1d"]]);
  });

  it("keep families and the bucket width when a change leaves them out, like the poll interval", () => {
    const body = { dataType: "usage" as const, friendlyName: "Usage", apiKeySecretName: "admin", families: ["images" as const], bucketWidth: "1d" as const, startTime: "2026-11-01T00:00:00Z" };
    const first = definitionFrom("org-usage", body, undefined, 0);
    const changed = definitionFrom("org-usage", { dataType: "usage", friendlyName: "Renamed", apiKeySecretName: "admin" }, first, 0);
    assert.deepEqual(changed, { ...first, friendlyName: "Renamed", version: 2 });
    assert.deepEqual(Object.keys(definitionFrom("audit", { dataType: "auditLogs", friendlyName: "A", apiKeySecretName: "admin" }, undefined, 0)).sort(), ["apiKeySecretName", "dataType", "friendlyName", "id", "pollIntervalSeconds", "startTime", "version"]);
  });
});
