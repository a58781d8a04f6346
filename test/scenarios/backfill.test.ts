/** Backfill: 3 days of audit logs and 2,000 stored completions, every id once, bounded history. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AUDIT_LOGS_STREAM, CHAT_COMPLETIONS_STREAM } from "../../src/config";
import { replayMismatches, startLocalApp, type LocalApp } from "../fakes/localApp";
import { generateAuditEvents, generateCompletions } from "../../src/local/fakes/generate";
import { assertEveryIdOnce, createCollector, runtimeStatuses } from "./helpers";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const T = NOW / 1000;

for (const auditOrder of ["desc", "asc"] as const) {
  describe(`backfill with audit logs sorted ${auditOrder}`, () => {
    let app: LocalApp;
    const events = generateAuditEvents(12_000, T - 3 * 86_400, T - 120, 101);
    const completions = generateCompletions(2_000, T - 2 * 86_400, T - 60, 102);
    before(async () => {
      app = await startLocalApp(NOW, { auditOrder });
      app.stack.openai.addAuditEvents(events);
      app.stack.openai.addAuditEvents(generateAuditEvents(500, T - 10 * 86_400, T - 4 * 86_400, 103)); // before startTime: never collected
      app.stack.openai.addCompletions(completions);
      app.stack.openai.addCompletions(generateCompletions(300, T - 9 * 86_400, T - 3 * 86_400 - 1, 104)); // before startTime
    });
    after(async () => { await app.stop(); });

    it("collects every event and completion since startTime exactly once, then idles until the next poll", async () => {
      const startTime = new Date(NOW - 3 * 86_400_000).toISOString();
      await createCollector(app, "org-audit", { dataType: "auditLogs", friendlyName: "Org audit", apiKeySecretName: "openai-admin-key", startTime });
      await createCollector(app, "prod-chat", { dataType: "chatCompletions", friendlyName: "Prod chat", apiKeySecretName: "openai-project-key", startTime });
      await app.runUntil(() => app.stack.ingestion.rows(AUDIT_LOGS_STREAM).length >= events.length && app.stack.ingestion.rows(CHAT_COMPLETIONS_STREAM).length >= completions.length, 3_600_000);
      await app.advance(60_000);
      assertEveryIdOnce(app, AUDIT_LOGS_STREAM, events.map((e) => e.id));
      assertEveryIdOnce(app, CHAT_COMPLETIONS_STREAM, completions.map((c) => c.id));

      const list = await app.api("GET", "/api/collectors");
      const collectors = (list.body as { collectors: Array<Record<string, unknown>> }).collectors;
      assert.deepEqual(collectors.map((c) => [c.id, c.dataType, c.status, c.rowsIngested, c.lastError, c.url]), [
        ["org-audit", "auditLogs", "running", events.length, null, "https://api.openai.com/v1/organization/audit_logs"],
        ["prod-chat", "chatCompletions", "running", completions.length, null, "https://api.openai.com/v1/chat/completions"],
      ]);
      assert.deepEqual(runtimeStatuses(app), ["collector-org-audit:Running", "collector-prod-chat:Running"]);
    });

    it("keeps every generation's history small however large the backlog, and replays deterministically", async () => {
      assert.ok(app.host.stats.generations >= 8, `only ${app.host.stats.generations} generations`);
      const perGeneration = app.host.stats.historyBytes / app.host.stats.generations;
      assert.ok(perGeneration < 20_000, `${perGeneration} bytes of history per generation`);
      for (const r of app.host.instances.values()) assert.ok(Buffer.byteLength(JSON.stringify(r.input)) < 4_000, `${r.instanceId} state is ${Buffer.byteLength(JSON.stringify(r.input))} bytes`);
      assert.deepEqual(await replayMismatches(app.host), []);
    });
  });
}
