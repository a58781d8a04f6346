/** The data-type registry: key kinds by prefix, endpoints, and the words errors use. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DATA_TYPE_NAMES, DATA_TYPES, dataTypeViews, endpointUrl, isDataType, keyKindOf, keyRequirementSentence } from "../../src/collectors/dataTypes";
import { TABLES } from "../../src/schema/tables";

describe("data-type registry", () => {
  it("tells a key's kind by its prefix, and nothing for keys whose prefix tells nothing", () => {
    const keys = ["sk-admin-abc123", "sk-proj-abc123", "sk-svcacct-abc123", "sk-comp-abc123", "sk-abcdef123456", "demo-admin-key", "", "SK-ADMIN-abc"];
    assert.deepEqual(keys.map(keyKindOf), ["admin", "project", "project", "compliance", undefined, undefined, undefined, undefined]);
  });

  it("builds endpoint URLs from the base whatever its trailing slashes", () => {
    assert.deepEqual(
      [endpointUrl("https://api.openai.com/v1", "auditLogs"), endpointUrl("https://proxy.example/openai/v1//", "chatCompletions"), endpointUrl("https://api.openai.com/v1", "complianceLogs", "https://fedramp.example/v1/compliance/")],
      ["https://api.openai.com/v1/organization/audit_logs", "https://proxy.example/openai/v1/chat/completions", "https://fedramp.example/v1/compliance/workspaces/{workspaceId}/logs"],
    );
  });

  it("writes into the tables of the schema folder, through their own streams", () => {
    const byTable = new Map(TABLES.map((t) => [t.tableName, t.streamName]));
    assert.deepEqual(DATA_TYPE_NAMES.map((t) => [DATA_TYPES[t].table, DATA_TYPES[t].stream]), DATA_TYPE_NAMES.map((t) => [DATA_TYPES[t].table, byTable.get(DATA_TYPES[t].table)]));
    assert.deepEqual(new Set(DATA_TYPE_NAMES.map((t) => DATA_TYPES[t].table)).size, DATA_TYPE_NAMES.length);
  });

  it("says what each data type needs of its key, with the prerequisite where there is one", () => {
    assert.deepEqual(DATA_TYPE_NAMES.map(keyRequirementSentence), [
      `Collecting audit logs needs ${DATA_TYPES.auditLogs.keyRequirement}; ${DATA_TYPES.auditLogs.prerequisite}.`,
      `Collecting stored chat completions needs ${DATA_TYPES.chatCompletions.keyRequirement}.`,
      `Collecting ChatGPT compliance logs needs ${DATA_TYPES.complianceLogs.keyRequirement}.`,
      `Collecting usage data needs ${DATA_TYPES.usage.keyRequirement}.`,
      `Collecting costs needs ${DATA_TYPES.costs.keyRequirement}.`,
    ]);
  });

  it("shows every entry with its URL and its key kind spelled out, and knows only its own names", () => {
    const views = dataTypeViews("https://api.openai.com/v1");
    assert.deepEqual(views.map((v) => [v.dataType, v.url, v.key.kind, v.key.prefixes]), [
      ["auditLogs", "https://api.openai.com/v1/organization/audit_logs", "admin", ["sk-admin-"]],
      ["chatCompletions", "https://api.openai.com/v1/chat/completions", "project", ["sk-proj-", "sk-svcacct-"]],
      ["complianceLogs", "https://api.chatgpt.com/v1/compliance/workspaces/{workspaceId}/logs", "compliance", ["sk-comp-"]],
      ["usage", "https://api.openai.com/v1/organization/usage", "admin", ["sk-admin-"]],
      ["costs", "https://api.openai.com/v1/organization/costs", "admin", ["sk-admin-"]],
    ]);
    assert.deepEqual(["auditLogs", "chatCompletions", "usage", "costs", "toString", 1].map(isDataType), [true, true, true, true, false, false]);
  });
});
