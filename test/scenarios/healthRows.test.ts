/**
 * The health rows a collector's life leaves in OpenAIConnectorHealth_CL, through the real app on
 * the local fakes: an audit collector says it reads both scopes (or organization only while the
 * tenant scope is refused), stopping leaves a last `stopped` row, and deleting leaves a final
 * `deleted` row written by the management API, after which nothing more is written.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AUDIT_LOGS_STREAM, CONNECTOR_HEALTH_STREAM } from "../../src/config";
import { generateAuditEvents } from "../../src/local/fakes/generate";
import { startLocalApp, type LocalApp } from "../fakes/localApp";
import { createCollector } from "./helpers";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const T = NOW / 1000;
const body = { dataType: "auditLogs", friendlyName: "Org audit", apiKeySecretName: "openai-admin-key", startTime: new Date(NOW - 86_400_000).toISOString() };
const healthOf = (app: LocalApp, id: string) => app.stack.ingestion.rows(CONNECTOR_HEALTH_STREAM).filter((r) => r.CollectorId === id);

describe("health rows over a collector's life", () => {
  it("an audit collector reads both scopes; stop leaves a stopped row; delete a final deleted row with the totals, then nothing", async () => {
    const app = await startLocalApp(NOW);
    try {
      const events = generateAuditEvents(300, T - 86_400, T - 600, 77);
      app.stack.openai.addAuditEvents(events);
      await createCollector(app, "org", body);
      await app.runUntil(() => app.stack.ingestion.rows(AUDIT_LOGS_STREAM).length >= events.length, 3_600_000);
      await app.advance(600_000);
      const running = healthOf(app, "org");
      assert.ok(running.length > 0);
      assert.deepEqual([...new Set(running.map((r) => [r.DataType, r.Scope, r.State].join("|")))], ["auditLogs|organization, tenant|running"]);

      assert.equal((await app.api("POST", "/api/collectors/org/stop")).status, 202);
      await app.advance(600_000);
      const afterStop = healthOf(app, "org");
      assert.equal(afterStop.at(-1)!.State, "stopped");

      assert.equal((await app.api("DELETE", "/api/collectors/org")).status, 204);
      const rows = healthOf(app, "org");
      assert.equal(rows.length, afterStop.length + 1);
      const final = rows.at(-1)!;
      assert.deepEqual(final, {
        TimeGenerated: new Date(app.clock.now()).toISOString(), Id: `org:${new Date(app.clock.now()).toISOString()}`, CollectorId: "org", ConnectorName: "Org audit",
        DataType: "auditLogs", Scope: "organization, tenant", State: "deleted", RowsWritten: 0, Pages: 0, DuplicatesSkipped: 0,
        RowsIngestedTotal: events.length, LagSeconds: final.LagSeconds, ThrottledResponses: 0, ConsecutiveFailures: 0,
        LastSuccessAt: afterStop.at(-1)!.LastSuccessAt, DefinitionVersion: afterStop.at(-1)!.DefinitionVersion,
      });
      assert.ok(typeof final.LagSeconds === "number" && final.LagSeconds >= 600, `lag ${String(final.LagSeconds)}`);

      await app.advance(2 * 3_600_000);
      assert.equal(healthOf(app, "org").length, rows.length, "no health row after the final one");
    } finally {
      await app.stop();
    }
  });

  it("says organization while OpenAI refuses the tenant scope", async () => {
    const app = await startLocalApp(NOW, { tenantOnly: { status: 403, message: "This organization has no tenant." } });
    try {
      app.stack.openai.addAuditEvents(generateAuditEvents(50, T - 86_400, T - 600, 78));
      await createCollector(app, "org", body);
      await app.advance(1_200_000);
      const scopes = healthOf(app, "org").map((r) => r.Scope);
      assert.ok(scopes.length > 0);
      assert.equal(scopes.at(-1), "organization");
    } finally {
      await app.stop();
    }
  });
});
