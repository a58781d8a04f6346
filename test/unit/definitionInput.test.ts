/**
 * Validation of collector definitions: every problem named with its field and what is wrong with
 * it (never "is required" for a field that is present), all at once; start times that name real
 * instants in range; display names without control or bidi characters.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { collectorBodySchema, resetBodySchema, startTimeProblems, validate } from "../../src/collectors/definitionInput";
import { dateTimeProblem, startTimeRangeProblem } from "../../src/collectors/startTime";
import { parseDeclaredCollectors } from "../../src/collectors/reconcile";
import { DATA_TYPE_NAMES } from "../../src/collectors/dataTypes";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const valid = { dataType: "auditLogs", friendlyName: "Org audit", apiKeySecretName: "openai-admin-key" };

/** The problems of `body` as [field, message] pairs (empty when valid). */
function problems(body: unknown): Array<[string, string]> {
  const checked = validate(collectorBodySchema, body, startTimeProblems(body, NOW));
  return checked.ok ? [] : checked.problems.map((p) => [p.field, p.message]);
}

describe("collector body validation", () => {
  const cases: Array<[string, unknown, Array<[string, string]>]> = [
    ["a number as friendlyName", { ...valid, friendlyName: 5 }, [["friendlyName", "friendlyName must be a string, not the number 5"]]],
    ["a number as startTime", { ...valid, startTime: 0 }, [["startTime", "startTime must be a string, not the number 0"]]],
    ["a string as pollIntervalSeconds", { ...valid, pollIntervalSeconds: "120" }, [["pollIntervalSeconds", "pollIntervalSeconds must be a number, not the string \"120\""]]],
    ["a fraction as pollIntervalSeconds", { ...valid, pollIntervalSeconds: 60.5 }, [["pollIntervalSeconds", "pollIntervalSeconds must be a whole number"]]],
    ["1e400 (Infinity once parsed) as pollIntervalSeconds", JSON.parse(`{"dataType":"auditLogs","friendlyName":"x","apiKeySecretName":"k","pollIntervalSeconds":1e400}`), [["pollIntervalSeconds", "pollIntervalSeconds must be a finite number"]]],
    ["null as dataType", { ...valid, dataType: null }, [["dataType", `dataType must be one of ${DATA_TYPE_NAMES.map((n) => `"${n}"`).join(", ")}, not null`]]],
    ["an array body", [valid], [["body", "body must be a JSON object, not an array"]]],
    ["a null body", null, [["body", "body must be a JSON object, not null"]]],
    ["a missing field", { friendlyName: "x", apiKeySecretName: "k" }, [["dataType", "dataType is required"]]],
    ["a NUL in friendlyName", { ...valid, friendlyName: "Org\u0000audit" }, [["friendlyName", "friendlyName must not contain control or bidirectional-formatting characters (U+0000 at character 4)"]]],
    ["a BEL in friendlyName", { ...valid, friendlyName: "Org\u0007" }, [["friendlyName", "friendlyName must not contain control or bidirectional-formatting characters (U+0007 at character 4)"]]],
    ["a right-to-left override in friendlyName", { ...valid, friendlyName: "\u202Etidua gro" }, [["friendlyName", "friendlyName must not contain control or bidirectional-formatting characters (U+202E at character 1)"]]],
    ["a line separator in friendlyName", { ...valid, friendlyName: "a\u2028b" }, [["friendlyName", "friendlyName must not contain control or bidirectional-formatting characters (U+2028 at character 2)"]]],
  ];
  for (const [name, body, expected] of cases) {
    it(`names the field and what is wrong for ${name}`, () => assert.deepEqual(problems(body), expected));
  }

  it("reports every problem of a body at once, in field order, unknown fields last", () => {
    assert.deepEqual(problems({ dataType: "billing", friendlyName: "", apiKeySecretName: "sk-admin-abcdef", pollIntervalSeconds: 30, startTime: "2026-02-30T00:00:00Z", apiKey: "x" }), [
      ["dataType", `dataType must be one of ${DATA_TYPE_NAMES.map((n) => `"${n}"`).join(", ")}, not the string "billing"`],
      ["friendlyName", "friendlyName must not be empty"],
      ["apiKeySecretName", "apiKeySecretName looks like an OpenAI key (sk-…): give the name of the Key Vault secret that holds the key, never the key"],
      ["pollIntervalSeconds", "pollIntervalSeconds must be at least 60"],
      ["startTime", "startTime is not a real date: February 2026 has 28 days (2026-02-30T00:00:00Z)"],
      ["apiKey", "unknown field: apiKey"],
    ]);
  });

  it("adds the range of a well-formed start time to the other problems, and accepts names with accents, emoji and joiners", () => {
    assert.deepEqual(problems({ ...valid, friendlyName: 7, startTime: "9999-12-31T23:59:59Z" }), [
      ["friendlyName", "friendlyName must be a string, not the number 7"],
      ["startTime", "startTime is in the future (9999-12-31T23:59:59.000Z; now is 2026-11-25T12:00:00.000Z): a collector collects what already happened, so give a time up to now"],
    ]);
    assert.deepEqual(problems({ ...valid, friendlyName: "Équipe SOC 👩‍💻 Zürich", startTime: "2026-11-25T12:04:59Z" }), []);
  });
});

describe("start times", () => {
  it("refuses impossible dates instead of rolling them over, and accepts real ones", () => {
    assert.deepEqual(["2026-02-30T00:00:00Z", "2026-02-29T00:00:00Z", "2028-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-04-31T10:00:00+02:00", "2026-11-01T24:00:00Z",
      "2026-11-01T10:60Z", "2026-11-01T10:00:00+24:00", "2026-11-01", "2026-11-01T00:00:00Z"].map(dateTimeProblem), [
      "is not a real date: February 2026 has 28 days (2026-02-30T00:00:00Z)",
      "is not a real date: February 2026 has 28 days (2026-02-29T00:00:00Z)",
      undefined,
      "is not a real date: there is no month 13 (2026-13-01T00:00:00Z)",
      "is not a real date: April 2026 has 30 days (2026-04-31T10:00:00+02:00)",
      "is not a real time of day (2026-11-01T24:00:00Z)",
      "is not a real time of day (2026-11-01T10:60Z)",
      "has an impossible time zone offset (2026-11-01T10:00:00+24:00)",
      "must be an ISO-8601 date-time with a time zone, e.g. 2026-11-01T00:00:00Z",
      undefined,
    ]);
  });

  it("refuses the future beyond five minutes of clock skew and times before the data type's floor", () => {
    const at = (text: string, dataType?: "auditLogs" | "chatCompletions") => startTimeRangeProblem(text, dataType, NOW);
    assert.deepEqual([at("2026-11-25T12:05:00Z"), at("2026-11-25T12:05:01Z")?.slice(0, 16), at("2024-01-01T00:00:00Z", "auditLogs"), at("2023-12-31T23:59:59Z", "auditLogs"),
      at("1969-12-31T23:59:59Z", "chatCompletions"), at("0000-01-01T00:00:00Z"), at("2020-06-11T00:00:00Z")], [
      undefined, "is in the future",
      undefined, "must not be before 2024-01-01T00:00:00.000Z (auditLogs cannot hold anything older); got 2023-12-31T23:59:59Z",
      "must not be before 2024-01-01T00:00:00.000Z (chatCompletions cannot hold anything older); got 1969-12-31T23:59:59Z",
      "must not be before 2020-06-11T00:00:00.000Z (no OpenAI API data is older); got 0000-01-01T00:00:00Z",
      undefined,
    ]);
  });

  it("checks a reset body's startTime against the collector's data type", () => {
    const checked = validate(resetBodySchema, { startTime: "2023-06-01T00:00:00Z" }, startTimeProblems({ startTime: "2023-06-01T00:00:00Z" }, NOW, "auditLogs"));
    assert.deepEqual(checked.ok ? [] : checked.problems, [{ field: "startTime", message: "startTime must not be before 2024-01-01T00:00:00.000Z (auditLogs cannot hold anything older); got 2023-06-01T00:00:00Z" }]);
  });

  it("stops start-up on a COLLECTORS entry with an impossible or out-of-range start time, naming the entry and field", () => {
    const declared = (startTime: string) => JSON.stringify([{ id: "a", ...valid, startTime }]);
    assert.throws(() => parseDeclaredCollectors(declared("2026-02-30T00:00:00Z"), NOW), { message: "Setting COLLECTORS entry 0: startTime is not a real date: February 2026 has 28 days (2026-02-30T00:00:00Z)" });
    assert.throws(() => parseDeclaredCollectors(declared("1969-07-20T20:17:00Z"), NOW), { message: "Setting COLLECTORS entry 0: startTime must not be before 2024-01-01T00:00:00.000Z (auditLogs cannot hold anything older); got 1969-07-20T20:17:00Z" });
    assert.throws(() => parseDeclaredCollectors(JSON.stringify([{ id: "a", ...valid, friendlyName: 5 }]), NOW), { message: "Setting COLLECTORS entry 0: friendlyName must be a string, not the number 5" });
    assert.deepEqual(parseDeclaredCollectors(declared("2026-11-01T00:00:00Z"), NOW), [{ id: "a", ...valid, startTime: "2026-11-01T00:00:00Z" }]);
  });
});
