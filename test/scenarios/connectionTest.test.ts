/**
 * Test connection through the management API, with the real Key Vault and OpenAI clients against
 * the local fakes: each named case sets up the vault or the OpenAI organization, asks the API, and
 * compares the whole answer. No key may appear in any answer or log line.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ConnectionTestResult } from "../../src/collectors/connectionTest";
import { generateAuditEvents } from "../../src/local/fakes/generate";
import { startLocalApp, type LocalApp } from "../fakes/localApp";
import { createCollector } from "./helpers";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const BASE = "https://api.openai.com/v1";
// Shaped like real keys so their kind shows; obviously fake.
const ADMIN = "sk-admin-test-fake-0001";
const PROJECT = "sk-proj-test-fake-0002";
const UNSHAPED_WRONG = "test-wrong-key-9999";
const AUDIT_URL = `${BASE}/organization/audit_logs`;
const CHAT_URL = `${BASE}/chat/completions`;
const WORKSPACE = "be545252-ad04-4cfa-9ca5-deca58416151";
const COMPLIANCE_URL = `https://api.chatgpt.com/v1/compliance/workspaces/${WORKSPACE}/logs`;
const USAGE_URL = `${BASE}/organization/usage`;
const COSTS_URL = `${BASE}/organization/costs`;

type Expected = Omit<ConnectionTestResult, "message" | "fix" | "testedAt"> & { message: RegExp; fix: RegExp | null };

describe("connection test", () => {
  let app: LocalApp;
  const texts: string[] = [];
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await app.api(method, path, body);
    texts.push(res.text);
    return res;
  };
  before(async () => {
    app = await startLocalApp(NOW, { adminKey: ADMIN, projectKey: PROJECT });
    app.stack.vault.setSecret("openai-admin-key", ADMIN);
    app.stack.vault.setSecret("openai-project-key", PROJECT);
    app.stack.vault.setSecret("wrong-key", UNSHAPED_WRONG);
    await createCollector(app, "org", { dataType: "auditLogs", friendlyName: "Org", apiKeySecretName: "openai-admin-key" });
    await createCollector(app, "chat", { dataType: "chatCompletions", friendlyName: "Chat", apiKeySecretName: "openai-project-key" });
    await createCollector(app, "chatgpt", { dataType: "complianceLogs", friendlyName: "ChatGPT", apiKeySecretName: "chatgpt-compliance-key", compliance: { workspaceId: WORKSPACE } });
  });
  after(async () => { await app.stop(); });

  const expectResult = (res: { status: number; body: unknown }, expected: Expected) => {
    const { message, fix, ...rest } = res.body as ConnectionTestResult;
    const { message: messagePattern, fix: fixPattern, ...plain } = expected;
    assert.deepEqual({ status: res.status, ...rest }, { status: 200, ...plain, testedAt: new Date(app.clock.now()).toISOString() });
    assert.match(message, messagePattern);
    if (fixPattern === null) assert.equal(fix, null);
    else assert.match(fix ?? "", fixPattern);
  };
  const audit = (apiKeySecretName: string) => ({ dataType: "auditLogs" as const, apiKeySecretName, url: AUDIT_URL });
  const chat = (apiKeySecretName: string) => ({ dataType: "chatCompletions" as const, apiKeySecretName, url: CHAT_URL });
  const compliance = (apiKeySecretName: string) => ({ dataType: "complianceLogs" as const, apiKeySecretName, url: COMPLIANCE_URL });
  const complianceBody = (apiKeySecretName: string) => ({ dataType: "complianceLogs", apiKeySecretName, compliance: { workspaceId: WORKSPACE } });
  const usage = (apiKeySecretName: string) => ({ dataType: "usage" as const, apiKeySecretName, url: USAGE_URL });
  const costs = (apiKeySecretName: string) => ({ dataType: "costs" as const, apiKeySecretName, url: COSTS_URL });
  const openaiRequests = () => app.stack.openai.requests.length;

  const cases: Array<[string, () => void, [string, string, unknown?], Expected, number]> = [
    ["a saved audit collector with an admin key, before any event exists", () => undefined, ["POST", "/api/collectors/org/test"],
      { ok: true, outcome: "ok", ...audit("openai-admin-key"), keyKind: "admin", openaiStatus: 200, message: /key works.*no items yet.*audit logging must also be enabled/, fix: null }, 1],
    ["a saved audit collector once events exist", () => app.stack.openai.addAuditEvents(generateAuditEvents(3, NOW / 1000 - 600, NOW / 1000 - 300, 7)), ["POST", "/api/collectors/org/test"],
      { ok: true, outcome: "ok", ...audit("openai-admin-key"), keyKind: "admin", openaiStatus: 200, message: /^The key works: audit logs answered HTTP 200 and returned data\.$/, fix: null }, 1],
    ["a saved chat collector with a project key", () => undefined, ["POST", "/api/collectors/chat/test"],
      { ok: true, outcome: "ok", ...chat("openai-project-key"), keyKind: "project", openaiStatus: 200, message: /key works/, fix: null }, 1],
    ["an unsaved usage definition with an admin key, before any usage", () => undefined, ["POST", "/api/connection-tests", { dataType: "usage", apiKeySecretName: "openai-admin-key" }],
      { ok: true, outcome: "ok", ...usage("openai-admin-key"), keyKind: "admin", openaiStatus: 200, message: /^The key works: usage data answered HTTP 200 and returned no items yet\.$/, fix: null }, 1],
    ["an unsaved costs definition once yesterday had usage", () => app.stack.openai.addCompletions([{ id: "chatcmpl-yesterday", object: "chat.completion", created: NOW / 1000 - 86_400, model: "gpt-4o-2024-08-06", usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } }]), ["POST", "/api/connection-tests", { dataType: "costs", apiKeySecretName: "openai-admin-key" }],
      { ok: true, outcome: "ok", ...costs("openai-admin-key"), keyKind: "admin", openaiStatus: 200, message: /^The key works: costs answered HTTP 200 and returned data\.$/, fix: null }, 1],
    ["an unsaved usage definition naming the project key: wrong kind, no request sent", () => undefined, ["POST", "/api/connection-tests", { dataType: "usage", apiKeySecretName: "openai-project-key" }],
      { ok: false, outcome: "wrongKeyType", ...usage("openai-project-key"), keyKind: "project", openaiStatus: null, message: /holds a project API key .*but usage data need an organization admin API key/, fix: /organization admin API key.*Admin keys/ }, 0],
    ["an unsaved audit definition naming the project key: wrong kind, no request sent", () => undefined, ["POST", "/api/connection-tests", { dataType: "auditLogs", apiKeySecretName: "openai-project-key", friendlyName: "x" }],
      { ok: false, outcome: "wrongKeyType", ...audit("openai-project-key"), keyKind: "project", openaiStatus: null, message: /holds a project API key \(sk-proj- or sk-svcacct-…\), but audit logs need an organization admin API key/, fix: /organization admin API key.*Admin keys/ }, 0],
    ["an unsaved chat definition naming the admin key: wrong kind", () => undefined, ["POST", "/api/connection-tests", { dataType: "chatCompletions", apiKeySecretName: "openai-admin-key" }],
      { ok: false, outcome: "wrongKeyType", ...chat("openai-admin-key"), keyKind: "admin", openaiStatus: null, message: /holds an organization admin API key .*stored chat completions need a project API key/, fix: /project API key.*Project → API keys/ }, 0],
    ["a key OpenAI rejects, of no recognisable kind", () => undefined, ["POST", "/api/connection-tests", { dataType: "auditLogs", apiKeySecretName: "wrong-key" }],
      { ok: false, outcome: "keyRejected", ...audit("wrong-key"), keyKind: null, openaiStatus: 401, message: /rejected the key in "wrong-key".*HTTP 401.*Incorrect API key/, fix: /Put an organization admin API key \(sk-admin-…\).*"wrong-key".*audit logging must also be enabled/ }, 1],
    ["a secret that does not exist", () => undefined, ["POST", "/api/connection-tests", { dataType: "chatCompletions", apiKeySecretName: "no-such-secret" }],
      { ok: false, outcome: "secretMissing", ...chat("no-such-secret"), keyKind: null, openaiStatus: null, message: /secret "no-such-secret" does not exist/, fix: /az keyvault secret set .* -n no-such-secret/ }, 0],
    ["a vault that denies the app's identity", () => { app.stack.vault.outageStatus = 403; }, ["POST", "/api/collectors/org/test"],
      { ok: false, outcome: "vaultAccessDenied", ...audit("openai-admin-key"), keyKind: null, openaiStatus: null, message: /access denied \(HTTP 403\)/, fix: /"Key Vault Secrets User" role on the vault/ }, 0],
    ["a vault that is down", () => { app.stack.vault.outageStatus = 503; }, ["POST", "/api/collectors/org/test"],
      { ok: false, outcome: "vaultUnavailable", ...audit("openai-admin-key"), keyKind: null, openaiStatus: null, message: /temporarily unavailable \(HTTP 503\)/, fix: /Try again/ }, 0],
    ["an organization without audit logging", () => { app.stack.vault.outageStatus = undefined; app.stack.openai.options = { ...app.stack.openai.options, auditLoggingDisabled: true }; }, ["POST", "/api/collectors/org/test"],
      { ok: false, outcome: "auditLoggingDisabled", ...audit("openai-admin-key"), keyKind: "admin", openaiStatus: 403, message: /Audit logging is not enabled/, fix: /^Enable it: audit logging must also be enabled in the OpenAI organization \(Settings → Organization → Data controls → Data retention → Audit logging\)\.$/ }, 1],
    ["an organization out of credits", () => {
      app.stack.openai.options = { ...app.stack.openai.options, auditLoggingDisabled: false };
      app.stack.openai.injectFault({ kind: "status", status: 429, body: { error: { message: "You exceeded your current quota", type: "insufficient_quota", param: null, code: "insufficient_quota" } } });
    }, ["POST", "/api/collectors/org/test"],
      { ok: false, outcome: "quotaExhausted", ...audit("openai-admin-key"), keyKind: "admin", openaiStatus: 429, message: /quota exhausted/, fix: /Add credits/ }, 1],
    ["OpenAI rate limiting with a long Retry-After", () => app.stack.openai.injectFault({ kind: "status", status: 429, headers: { "retry-after": "30" }, body: { error: { message: "Rate limit reached for requests", type: "requests", param: null, code: "rate_limit_exceeded" } } }), ["POST", "/api/collectors/org/test"],
      { ok: false, outcome: "throttled", ...audit("openai-admin-key"), keyKind: "admin", openaiStatus: 429, message: /rate limited.*could not be judged/, fix: /Try again in a minute/ }, 1],
    ["a base URL that does not serve the endpoint", () => app.stack.openai.injectFault({ kind: "status", status: 404, body: { error: { message: "Invalid URL (GET /v1/organization/audit_logs)", type: "invalid_request_error", param: null, code: null } } }), ["POST", "/api/collectors/org/test"],
      { ok: false, outcome: "endpointNotFound", ...audit("openai-admin-key"), keyKind: "admin", openaiStatus: 404, message: /HTTP 404.*Invalid URL/, fix: /^Check OPENAI_BASE_URL: https:\/\/api\.openai\.com\/v1\/organization\/audit_logs should be an OpenAI API endpoint\.$/ }, 1],
    ["another refusal", () => app.stack.openai.injectFault({ kind: "status", status: 400, body: { error: { message: "Unsupported parameter", type: "invalid_request_error", param: "limit", code: null } } }), ["POST", "/api/collectors/org/test"],
      { ok: false, outcome: "failed", ...audit("openai-admin-key"), keyKind: "admin", openaiStatus: 400, message: /HTTP 400: Unsupported parameter/, fix: null }, 1],
    ["a saved ChatGPT compliance collector with a Compliance API key", () => undefined, ["POST", "/api/collectors/chatgpt/test"],
      { ok: true, outcome: "ok", ...compliance("chatgpt-compliance-key"), keyKind: null, openaiStatus: 200, message: /^The key works: ChatGPT compliance logs answered HTTP 200 and returned no items yet\.$/, fix: null }, 1],
    ["an unsaved compliance definition naming an admin key: wrong kind, no request sent", () => undefined, ["POST", "/api/connection-tests", complianceBody("openai-admin-key")],
      { ok: false, outcome: "wrongKeyType", ...compliance("openai-admin-key"), keyKind: "admin", openaiStatus: null, message: /holds an organization admin API key .*but ChatGPT compliance logs need a ChatGPT Compliance API key/, fix: /Compliance API key.*chatgpt\.com\/admin/ }, 0],
    ["an unsaved compliance definition naming a Platform project key without the compliance scopes", () => undefined, ["POST", "/api/connection-tests", complianceBody("openai-project-key")],
      { ok: false, outcome: "keyRejected", ...compliance("openai-project-key"), keyKind: "project", openaiStatus: 401, message: /rejected the key in "openai-project-key".*HTTP 401.*rejected by access enforcement/, fix: /Put a ChatGPT Enterprise\/Edu Compliance API key/ }, 1],
    ["OpenAI failing with 500s through the client's brief retries", () => app.stack.openai.injectFault({ kind: "status", status: 500 }, 3), ["POST", "/api/collectors/chat/test"],
      { ok: false, outcome: "openaiUnavailable", ...chat("openai-project-key"), keyKind: "project", openaiStatus: 500, message: /HTTP 500/, fix: /OPENAI_BASE_URL/ }, 3],
  ];
  for (const [name, setup, [method, path, body], expected, requests] of cases) {
    it(`answers ${expected.outcome} for ${name}`, async () => {
      setup();
      const before = openaiRequests();
      const res = await call(method, path, body);
      expectResult(res, expected);
      assert.equal(openaiRequests() - before, requests, "OpenAI requests sent");
    });
  }

  const badInputs: Array<[string, string, string, unknown, number, string, string | undefined]> = [
    ["no body", "POST", "/api/connection-tests", undefined, 400, "MissingBody", "body"],
    ["a missing secret name", "POST", "/api/connection-tests", { dataType: "auditLogs" }, 400, "InvalidField", "apiKeySecretName"],
    ["a key instead of a secret name", "POST", "/api/connection-tests", { dataType: "auditLogs", apiKeySecretName: ADMIN }, 400, "InvalidField", "apiKeySecretName"],
    ["an unknown data type", "POST", "/api/connection-tests", { dataType: "billing", apiKeySecretName: "k" }, 400, "InvalidField", "dataType"],
    ["a bad poll interval in the form's body", "POST", "/api/connection-tests", { dataType: "auditLogs", apiKeySecretName: "k", pollIntervalSeconds: 5 }, 400, "InvalidField", "pollIntervalSeconds"],
    ["a compliance definition without its workspace or organization", "POST", "/api/connection-tests", { dataType: "complianceLogs", apiKeySecretName: "k" }, 400, "InvalidField", "compliance"],
    ["an unknown collector", "POST", "/api/collectors/nope/test", undefined, 404, "CollectorNotFound", undefined],
    ["an invalid collector id", "POST", "/api/collectors/No_Pe/test", undefined, 400, "InvalidCollectorId", "id"],
  ];
  for (const [name, method, path, body, status, code, field] of badInputs) {
    it(`answers ${status} ${code} for ${name}, naming ${field ?? "nothing"}, and sends nothing to OpenAI`, async () => {
      const before = openaiRequests();
      const res = await call(method, path, body);
      const error = (res.body as { error: { code: string; field?: string } }).error;
      assert.deepEqual([res.status, error.code, error.field, openaiRequests() - before], [status, code, field, 0]);
    });
  }

  it("serves the data-type registry, which decides what a collector may be and which URL it shows", async () => {
    const { body } = await call("GET", "/api/data-types");
    const types = (body as { dataTypes: Array<{ dataType: string; url: string; key: { kind: string } }> }).dataTypes;
    assert.deepEqual(types.map((t) => [t.dataType, t.key.kind, t.url]), [["auditLogs", "admin", AUDIT_URL], ["chatCompletions", "project", CHAT_URL],
      ["complianceLogs", "compliance", "https://api.chatgpt.com/v1/compliance/workspaces/{workspaceId}/logs"], ["usage", "admin", USAGE_URL], ["costs", "admin", COSTS_URL]]);
    const views = ((await call("GET", "/api/collectors")).body as { collectors: Array<{ dataType: string; url: string }> }).collectors;
    assert.deepEqual(views.map((v) => [v.dataType, v.url]).sort(), types.filter((t) => views.some((v) => v.dataType === t.dataType)).map((t) => [t.dataType, t.url.replace("{workspaceId}", WORKSPACE)]).sort());
    const rejected = (await call("PUT", "/api/collectors/other", { dataType: "billing", friendlyName: "x", apiKeySecretName: "k" })).body as { error: { message: string } };
    assert.equal(rejected.error.message, `dataType must be one of ${types.map((t) => `"${t.dataType}"`).join(", ")}, not the string "billing"`);
  });

  it("never shows a key in an answer or a log line", () => {
    const everything = [...texts, ...app.logs].join("\n");
    for (const key of [ADMIN, PROJECT, UNSHAPED_WRONG]) assert.ok(!everything.includes(key), `a key leaked: ${key}`);
    assert.ok(texts.length >= 20 && everything.includes("(sk-admin-…)"), "the scan covered the answers");
  });
});
