/**
 * ChatGPT compliance logs through the whole app on the local durable host: a collector created
 * through the management API backfills every default event type (COSTS repeats dropped), polls on,
 * collects conversation messages only after the opt-in, reports a Platform key as unauthorized,
 * and never lets a key or message text into history, status, entity state or a log line.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CHATGPT_COMPLIANCE_LOGS_STREAM, CHATGPT_COSTS_STREAM, CONNECTOR_HEALTH_STREAM } from "../../src/config";
import { generateComplianceRecords, logFilesOf, type LogFileSpec } from "../../src/local/fakes/generateCompliance";
import { ORG } from "../fakes/compliance";
import { replayMismatches, startLocalApp, type LocalApp } from "../fakes/localApp";
import { ADMIN_KEY, COMPLIANCE_KEY } from "../fakes/stack";
import { createCollector, runtimeStatuses } from "./helpers";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const T = NOW / 1000;
const body = (compliance: Record<string, unknown>) => ({ dataType: "complianceLogs", friendlyName: "ChatGPT compliance", apiKeySecretName: "chatgpt-compliance-key", pollIntervalSeconds: 300,
  startTime: new Date(NOW - 2 * 86_400_000).toISOString(), compliance });

function expectedIds(files: readonly LogFileSpec[], keep: (f: LogFileSpec) => boolean): string[] {
  return [...new Set(files.filter(keep).flatMap((f) => f.records.map((r) => r.event_id as string)))].sort();
}

function ids(app: LocalApp, stream: string): string[] {
  return app.stack.ingestion.rows(stream).map((r) => r.EventId as string).sort();
}

describe("a ChatGPT compliance-logs collector", () => {
  let app: LocalApp;
  const files = logFilesOf(generateComplianceRecords(ORG, T - 2 * 86_400, T - 600, 2_400, 21), ORG, 1_800, 21);
  const messageTexts = files.filter((f) => f.eventType === "CONVERSATION_MESSAGE").flatMap((f) => f.records.map((r) => (r.message as { content: { value: string } }).content.value));
  before(async () => {
    app = await startLocalApp(NOW);
    for (const f of files) app.stack.compliance.addLogFile(f);
  });
  after(async () => { await app.stop(); });

  it("backfills every default event type into its table, each event once, and never asks for conversation messages", async () => {
    await createCollector(app, "chatgpt", body({ ...ORG }));
    const logs = expectedIds(files, (f) => f.eventType !== "COSTS" && f.eventType !== "CONVERSATION_MESSAGE");
    const costs = expectedIds(files, (f) => f.eventType === "COSTS");
    await app.runUntil(() => app.stack.ingestion.rows(CHATGPT_COMPLIANCE_LOGS_STREAM).length >= logs.length && app.stack.ingestion.rows(CHATGPT_COSTS_STREAM).length >= costs.length, 3_600_000);
    await app.advance(600_000);
    assert.deepEqual([ids(app, CHATGPT_COMPLIANCE_LOGS_STREAM), ids(app, CHATGPT_COSTS_STREAM)], [logs, costs]);
    const listed = new Set(app.stack.compliance.listings.map((l) => `${l.scope}:${l.eventType}`));
    assert.deepEqual([...listed].sort(), ["organization:COSTS", "workspace:APP_AUTH_LOG", "workspace:APP_LOG", "workspace:AUDIT_LOG", "workspace:AUTH_LOG", "workspace:CODEX_LOG", "workspace:CODEX_SECURITY_LOG", "workspace:CUSTOM_AGENTS_LOG"]);

    const view = (await app.api("GET", "/api/collectors/chatgpt")).body as Record<string, unknown>;
    assert.deepEqual([view.status, view.dataType, view.url, view.rowsIngested, view.lastError, view.compliance],
      ["running", "complianceLogs", `https://api.chatgpt.com/v1/compliance/workspaces/${ORG.workspaceId}/logs`, logs.length + costs.length, null, { ...ORG }]);
    const streams = (view.cursor as { streams: Record<string, { caughtUp: boolean }> }).streams;
    assert.deepEqual(Object.entries(streams).filter(([, s]) => !s.caughtUp), []);
    const health = app.stack.ingestion.rows(CONNECTOR_HEALTH_STREAM).filter((r) => r.CollectorId === "chatgpt");
    assert.ok(health.length > 1);
    assert.deepEqual([...new Set(health.map((r) => [r.DataType, r.Scope].join("|")))], ["complianceLogs|workspace, organization"]);
  });

  it("keeps every generation's state small and replays deterministically", async () => {
    const instance = app.host.instances.get("collector-chatgpt")!;
    assert.ok(Buffer.byteLength(JSON.stringify(instance.input)) < 12_000, `${Buffer.byteLength(JSON.stringify(instance.input))} bytes of state`);
    assert.deepEqual(await replayMismatches(app.host), []);
  });

  it("collects conversation messages once the collector opts in, and never puts message text anywhere but the table", async () => {
    const res = await app.api("PUT", "/api/collectors/chatgpt", body({ ...ORG, includeConversationMessages: true }));
    assert.equal(res.status, 200, res.text);
    const messages = expectedIds(files, (f) => f.eventType === "CONVERSATION_MESSAGE");
    await app.runUntil(() => app.stack.ingestion.rows(CHATGPT_COMPLIANCE_LOGS_STREAM).filter((r) => r.EventType === "CONVERSATION_MESSAGE").length >= messages.length, 3_600_000);
    await app.advance(600_000);
    assert.deepEqual(app.stack.ingestion.rows(CHATGPT_COMPLIANCE_LOGS_STREAM).filter((r) => r.EventType === "CONVERSATION_MESSAGE").map((r) => r.EventId as string).sort(), messages);
    const outside = [
      ...app.logs, ...[...app.host.instances.values()].map((r) => JSON.stringify(r)), ...app.host.episodes.map((e) => JSON.stringify(e)),
      ...[...app.host.entities.values()].map((e) => JSON.stringify(e)), JSON.stringify((await app.api("GET", "/api/collectors")).body),
      ...app.stack.ingestion.rows(CONNECTOR_HEALTH_STREAM).map((r) => JSON.stringify(r)),
    ].join("\n");
    assert.ok(messageTexts.length > 10 && outside.length > 10_000);
    assert.deepEqual(messageTexts.filter((t) => outside.includes(t)), []);
    assert.ok(!outside.includes(COMPLIANCE_KEY), "the compliance key leaked");
  });

  it("says unauthorized, naming the key it needs, when the secret holds a Platform key", async () => {
    app.stack.vault.setSecret("platform-key", ADMIN_KEY);
    await createCollector(app, "wrong-key", { ...body({ workspaceId: ORG.workspaceId, eventTypes: ["AUTH_LOG"] }), apiKeySecretName: "platform-key" });
    await app.advance(60_000);
    const view = (await app.api("GET", "/api/collectors/wrong-key")).body as { status: string; lastError: { kind: string; message: string } };
    assert.deepEqual([view.status, view.lastError.kind], ["unauthorized", "unauthorized"]);
    assert.match(view.lastError.message, /needs a ChatGPT Enterprise\/Edu Compliance API key .*chatgpt\.com\/admin/);
    assert.deepEqual(runtimeStatuses(app), ["collector-chatgpt:Running", "collector-wrong-key:Running"]);
  });
});

describe("the management API for compliance-logs collectors", () => {
  let app: LocalApp;
  before(async () => { app = await startLocalApp(NOW); });
  after(async () => { await app.stop(); });

  const valid = body({ workspaceId: ORG.workspaceId });
  const badInputs: Array<[string, unknown, string, RegExp]> = [
    ["no compliance part", { ...valid, compliance: undefined }, "compliance", /is required for dataType complianceLogs/],
    ["neither workspace nor organization", { ...valid, compliance: {} }, "compliance", /needs workspaceId .* or organizationId/],
    ["a workspace id that is not a UUID", { ...valid, compliance: { workspaceId: "my-workspace" } }, "compliance.workspaceId", /UUID/],
    ["an organization id without org-", { ...valid, compliance: { organizationId: "acme" } }, "compliance.organizationId", /org-/],
    ["an event type in lower case", { ...valid, compliance: { workspaceId: ORG.workspaceId, eventTypes: ["auth_log"] } }, "compliance.eventTypes.0", /upper case/],
    ["conversation messages without the opt-in", { ...valid, compliance: { workspaceId: ORG.workspaceId, eventTypes: ["AUTH_LOG", "CONVERSATION_MESSAGE"] } }, "compliance.eventTypes", /includeConversationMessages/],
    ["COSTS without an organization", { ...valid, compliance: { workspaceId: ORG.workspaceId, eventTypes: ["COSTS"] } }, "compliance.eventTypes", /organization scope only: set compliance.organizationId/],
    ["an opt-in that is not a boolean", { ...valid, compliance: { workspaceId: ORG.workspaceId, includeConversationMessages: "yes" } }, "compliance.includeConversationMessages", /true or false/],
    ["an unknown compliance field", { ...valid, compliance: { workspaceId: ORG.workspaceId, scope: "all" } }, "compliance.scope", /unknown field: compliance.scope/],
    ["a compliance part on an audit-log collector", { dataType: "auditLogs", friendlyName: "Org", apiKeySecretName: "openai-admin-key", compliance: { workspaceId: ORG.workspaceId } }, "compliance", /only for dataType "complianceLogs"/],
  ];
  for (const [name, input, field, message] of badInputs) {
    it(`answers 400 naming ${field} for ${name}, and creates nothing`, async () => {
      const res = await app.api("PUT", "/api/collectors/chatgpt", input);
      const error = (res.body as { error: { code: string; message: string; field: string } }).error;
      assert.deepEqual([res.status, error.code, error.field], [400, "InvalidField", field]);
      assert.match(error.message, message);
      assert.deepEqual(runtimeStatuses(app), []);
    });
  }
});
