/**
 * The health rows a collector's life leaves in OpenAIConnectorHealth_CL, through the real app on
 * the local fakes: an audit collector says it reads both scopes (or organization only while the
 * tenant scope is refused), stopping leaves a last `stopped` row, and deleting leaves a final
 * `deleted` row written by the management API, after which nothing more is written.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { parse as loadYaml } from "yaml";
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

describe("health rows of an idle collector", () => {
  it("come when something changes and otherwise every 30 minutes, each before the time its predecessor announced, so the unhealthy rule never sees a healthy idle collector silent", async () => {
    const rule = loadYaml(fs.readFileSync(path.join(__dirname, "../../../content/AnalyticRules/OpenAICollectorUnhealthy.yaml"), "utf8")) as { query: string };
    // The rule counts silence from the later of the announced next run and next report, and allows an hour past it.
    assert.match(rule.query, /\| extend DueAt = max_of\(TimeGenerated, coalesce\(NextRunAt, TimeGenerated\), coalesce\(NextReportAt, TimeGenerated\)\)/);
    const silentAfterMs = Number(/let SilentAfter = (\d+)h;/.exec(rule.query)![1]) * 3_600_000;
    const app = await startLocalApp(NOW);
    try {
      app.stack.openai.addAuditEvents(generateAuditEvents(50, T - 3_600, T - 600, 79));
      await createCollector(app, "org", { ...body, startTime: new Date(NOW - 3_600_000).toISOString() });
      await app.advance(6 * 3_600_000);
      const rows = healthOf(app, "org");
      const at = (r: Record<string, unknown>, column: string) => (typeof r[column] === "string" ? Date.parse(r[column]) : Date.parse(r.TimeGenerated as string));
      const late = rows.slice(1).filter((r, i) => Date.parse(r.TimeGenerated as string) > Math.max(at(rows[i]!, "NextRunAt"), at(rows[i]!, "NextReportAt")) + silentAfterMs);
      assert.deepEqual(late, []);
      // Polls every 5 minutes: over the last 4 idle hours (72 polls before) rows come only with the heartbeat.
      const lastHours = rows.filter((r) => Date.parse(r.TimeGenerated as string) >= app.clock.now() - 4 * 3_600_000);
      const gaps = lastHours.slice(1).map((r, i) => (Date.parse(r.TimeGenerated as string) - Date.parse(lastHours[i]!.TimeGenerated as string)) / 60_000);
      assert.deepEqual([lastHours.every((r) => r.RowsWritten === 0 && r.State === "running"), gaps.every((g) => g >= 30 && g <= 35)], [true, true], `gaps ${gaps.join(", ")} min`);
      assert.ok(lastHours.length >= 7 && lastHours.length <= 9, `${lastHours.length} rows in 4 h`);
    } finally {
      await app.stop();
    }
  });
});
