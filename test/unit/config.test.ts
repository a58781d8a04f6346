import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readRuntimeSettings } from "../../src/collectors/settings";
import { ConfigError, loadConfig } from "../../src/config";

const valid = { KEY_VAULT_URI: "https://kv.vault.azure.net/", LOGS_INGESTION_ENDPOINT: "https://dce.eastus-1.ingest.monitor.azure.com", DCR_IMMUTABLE_ID: "dcr-0123456789abcdef0123456789abcdef" };

describe("loadConfig", () => {
  it("applies defaults and normalises URLs", () => {
    assert.deepEqual(loadConfig(valid), { openaiBaseUrl: "https://api.openai.com/v1", chatgptComplianceBaseUrl: "https://api.chatgpt.com/v1/compliance", keyVaultUri: "https://kv.vault.azure.net", logsIngestionEndpoint: "https://dce.eastus-1.ingest.monitor.azure.com",
      dcrImmutableId: "dcr-0123456789abcdef0123456789abcdef", azureClientId: undefined, fetchParallelism: 4, openaiMaxRequestsPerSecond: undefined, connectorHealthEnabled: true });
    assert.equal(loadConfig({ ...valid, OPENAI_MAX_REQUESTS_PER_SECOND: "5" }).openaiMaxRequestsPerSecond, 5);
    assert.deepEqual(["false", "0", "TRUE"].map((v) => loadConfig({ ...valid, CONNECTOR_HEALTH_ENABLED: v }).connectorHealthEnabled), [false, false, true]);
  });
  const bad: Array<[string, Record<string, string>, string, RegExp]> = [
    ["a missing vault", { ...valid, KEY_VAULT_URI: " " }, "KEY_VAULT_URI", /is required/],
    ["a missing endpoint", { ...valid, LOGS_INGESTION_ENDPOINT: "" }, "LOGS_INGESTION_ENDPOINT", /is required/],
    ["a plain-http vault", { ...valid, KEY_VAULT_URI: "http://kv.vault.azure.net" }, "KEY_VAULT_URI", /https:\/\//],
    ["a relative URL", { ...valid, OPENAI_BASE_URL: "api.openai.com" }, "OPENAI_BASE_URL", /absolute URL/],
    ["a plain-http Compliance API", { ...valid, CHATGPT_COMPLIANCE_BASE_URL: "http://api.chatgpt.com/v1/compliance" }, "CHATGPT_COMPLIANCE_BASE_URL", /https:\/\//],
    ["a DCR name instead of its immutable id", { ...valid, DCR_IMMUTABLE_ID: "my-dcr" }, "DCR_IMMUTABLE_ID", /dcr-/],
    ["a client id that is not a GUID", { ...valid, AZURE_CLIENT_ID: "my-identity" }, "AZURE_CLIENT_ID", /GUID/],
    ["parallelism out of range", { ...valid, FETCH_PARALLELISM: "64" }, "FETCH_PARALLELISM", /1 to 32/],
    ["a health switch that is not a boolean", { ...valid, CONNECTOR_HEALTH_ENABLED: "yes" }, "CONNECTOR_HEALTH_ENABLED", /true or false/],
    ["a fractional request rate", { ...valid, OPENAI_MAX_REQUESTS_PER_SECOND: "2.5" }, "OPENAI_MAX_REQUESTS_PER_SECOND", /whole number/],
  ];
  for (const [name, env, setting, message] of bad) {
    it(`names ${setting} for ${name}`, () => assert.throws(() => loadConfig(env), (e: unknown) => e instanceof ConfigError && e.setting === setting && message.test(e.message) && e.message.startsWith(`Setting ${setting} `)));
  }
});

describe("readRuntimeSettings", () => {
  it("defaults every tuning setting", () => {
    assert.deepEqual(readRuntimeSettings({}), { parallelism: 4, maxPagesPerActivity: 10, chatPagesPerActivity: 20, lagSeconds: 60, overlapSeconds: 1_800, chatLateHorizonSeconds: 1_800 });
    assert.deepEqual(readRuntimeSettings({ FETCH_PARALLELISM: "8", CHAT_PAGES_PER_ACTIVITY: "1", AUDIT_OVERLAP_SECONDS: "0", CHAT_LATE_HORIZON_SECONDS: "3600" }),
      { parallelism: 8, maxPagesPerActivity: 10, chatPagesPerActivity: 1, lagSeconds: 60, overlapSeconds: 0, chatLateHorizonSeconds: 3_600 });
  });
  for (const [name, value] of [["PAGES_PER_ACTIVITY", "0"], ["CHAT_PAGES_PER_ACTIVITY", "1000"], ["AUDIT_LAG_SECONDS", "-1"], ["AUDIT_OVERLAP_SECONDS", "1.5"], ["CHAT_LATE_HORIZON_SECONDS", "21601"]] as const) {
    it(`names ${name} when it is ${value}`, () => assert.throws(() => readRuntimeSettings({ [name]: value }), (e: unknown) => e instanceof ConfigError && e.setting === name));
  }
});
