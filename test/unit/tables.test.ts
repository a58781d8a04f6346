import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AUDIT_LOGS_TABLE, CHAT_COMPLETIONS_TABLE, checkRow, checkTableDefinition, TABLES } from "../../src/schema/tables";

const MICROSOFT_AUDIT = [["TimeGenerated", "datetime"], ["Id", "string"], ["EventType", "string"], ["EffectiveAt", "datetime"], ["ActorType", "string"], ["ActorApiKey", "dynamic"],
  ["ActorSession", "dynamic"], ["Project", "dynamic"], ["EventDetails", "dynamic"], ["ConnectorName", "string"]];
const MICROSOFT_CHAT_300 = [["TimeGenerated", "datetime"], ["Id", "string"], ["ObjectType", "string"], ["CreatedAt", "datetime"], ["Model", "string"], ["RequestId", "string"],
  ["ServiceTier", "string"], ["SystemFingerprint", "string"], ["Choices", "dynamic"], ["Usage", "dynamic"], ["Metadata", "dynamic"], ["ToolChoice", "string"], ["Tools", "dynamic"],
  ["Temperature", "real"], ["TopProbability", "real"], ["FrequencyPenalty", "real"], ["PresencePenalty", "real"], ["Seed", "long"], ["InputUser", "string"],
  ["ResponseFormat", "dynamic"], ["ConnectorName", "string"]];

describe("table schemas", () => {
  it("keep every column of Microsoft's tables, with the same types, first and in order", () => {
    assert.deepEqual(AUDIT_LOGS_TABLE.columns.slice(0, 10).map((c) => [c.name, c.type]), MICROSOFT_AUDIT);
    assert.deepEqual(CHAT_COMPLETIONS_TABLE.columns.slice(0, 21).map((c) => [c.name, c.type]), MICROSOFT_CHAT_300);
  });

  it("respect the Log Analytics limits", () => {
    for (const table of TABLES) assert.deepEqual(checkTableDefinition(table), [], table.tableName);
  });

  it("catch each kind of bad definition", () => {
    const bad = { ...AUDIT_LOGS_TABLE, streamName: "Custom-Other", columns: [...AUDIT_LOGS_TABLE.columns, { name: "Type", type: "string" as const, description: "" },
      { name: "A".repeat(46), type: "string" as const, description: "" }, { name: "1abc", type: "string" as const, description: "" }, { name: "id", type: "string" as const, description: "" }] };
    assert.deepEqual(checkTableDefinition(bad).map((p) => p.problem), ["stream must be Custom-<table>", "reserved column name", "name longer than 45 characters",
      "name must start with a letter and use letters, digits, _", "duplicate column name", "reserved column name"]);
  });

  it("reject rows with unknown columns or wrong types", () => {
    assert.deepEqual(checkRow(CHAT_COMPLETIONS_TABLE, { Id: 5, Nope: "x", Seed: 2 ** 60, ChoiceCount: 1.5, CreatedAt: "yesterday", Usage: null }).map((p) => p.column), ["Id", "Nope", "Seed", "ChoiceCount", "CreatedAt"]);
  });
});
