/**
 * Keys stay in Key Vault: a collector with a wrong key reports unauthorized, retries slowly and
 * recovers by itself once the key is fixed; no key ever shows in history, status, entity state,
 * an HTTP answer or a log line.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AUDIT_LOGS_STREAM, CHAT_COMPLETIONS_STREAM } from "../../src/config";
import { startLocalApp } from "../fakes/localApp";
import { ADMIN_KEY, PROJECT_KEY } from "../fakes/stack";
import { generateAuditEvents, generateCompletions } from "../../src/local/fakes/generate";
import { assertEveryIdOnce, createCollector } from "./helpers";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const T = NOW / 1000;
const WRONG_ADMIN = "test-wrong-admin-key-7777";
const WRONG_PROJECT = "test-wrong-project-key-8888";

describe("keys and unauthorized collectors", () => {
  it("reports unauthorized, retries slowly, recovers when the key is fixed in Key Vault, and never leaks a key", async () => {
    const app = await startLocalApp(NOW);
    const responses: string[] = [];
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await app.api(method, path, body);
      responses.push(res.text);
      return res;
    };
    try {
      const events = generateAuditEvents(1_000, T - 3_600, T - 120, 601);
      const completions = generateCompletions(300, T - 3_600, T - 60, 602);
      app.stack.openai.addAuditEvents(events);
      app.stack.openai.addCompletions(completions);
      app.stack.vault.setSecret("openai-admin-key", WRONG_ADMIN);
      app.stack.vault.setSecret("openai-project-key", ADMIN_KEY); // an admin key where a project key belongs
      await createCollector(app, "org", { dataType: "auditLogs", friendlyName: "Org", apiKeySecretName: "openai-admin-key", startTime: new Date(NOW - 7_200_000).toISOString() });
      await createCollector(app, "chat", { dataType: "chatCompletions", friendlyName: "Chat", apiKeySecretName: "openai-project-key", startTime: new Date(NOW - 7_200_000).toISOString() });
      await app.advance(20 * 60_000);

      const org = (await call("GET", "/api/collectors/org")).body as { status: string; lastError: { kind: string; message: string }; nextRunAt: string };
      const chat = (await call("GET", "/api/collectors/chat")).body as { status: string; lastError: { kind: string; message: string } };
      assert.deepEqual([org.status, org.lastError.kind, chat.status, chat.lastError.kind], ["unauthorized", "unauthorized", "unauthorized", "unauthorized"]);
      assert.match(org.lastError.message, /organization admin API key.*audit logging must also be enabled/);
      assert.match(chat.lastError.message, /project API key/);
      // Slow retries: one attempt (plus the forced fresh read) per 5 minutes, not a storm.
      const auditAttempts = app.stack.openai.requests.filter((r) => r.path === "/v1/organization/audit_logs").length;
      assert.ok(auditAttempts <= 4 * 2 * 5, `${auditAttempts} audit requests in 20 minutes`);

      app.stack.vault.setSecret("openai-admin-key", ADMIN_KEY);
      app.stack.vault.setSecret("openai-project-key", PROJECT_KEY);
      app.stack.vault.setSecret("unused", WRONG_PROJECT);
      await app.advance(15 * 60_000);
      assertEveryIdOnce(app, AUDIT_LOGS_STREAM, events.map((e) => e.id));
      assertEveryIdOnce(app, CHAT_COMPLETIONS_STREAM, completions.map((c) => c.id));
      const list = (await call("GET", "/api/collectors")).body as { collectors: Array<{ status: string }> };
      assert.deepEqual(list.collectors.map((c) => c.status), ["running", "running"]);

      const everything = [
        ...responses, ...app.logs,
        ...[...app.host.instances.values()].map((r) => JSON.stringify(r)),
        ...app.host.episodes.map((e) => JSON.stringify(e)),
        ...[...app.host.entities.values()].map((e) => JSON.stringify(e)),
      ].join("\n");
      for (const key of [ADMIN_KEY, PROJECT_KEY, WRONG_ADMIN, WRONG_PROJECT]) assert.ok(!everything.includes(key), `a key leaked: ${key}`);
      assert.ok(everything.length > 10_000, "the scan covered real material");
    } finally {
      await app.stop();
    }
  });
});
