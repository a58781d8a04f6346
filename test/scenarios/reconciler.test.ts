/** The reconciler: declared collectors are created and kept running, without undoing an explicit stop. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startLocalApp } from "../fakes/localApp";
import { generateAuditEvents } from "../../src/local/fakes/generate";
import { initialState } from "../../orchestrators/state";
import { AUDIT_LOGS_STREAM } from "../../src/config";
import { runtimeStatuses } from "./helpers";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const declared = [
  { id: "audit-logs", dataType: "auditLogs" as const, friendlyName: "Audit", apiKeySecretName: "openai-admin-key", pollIntervalSeconds: 300 },
  { id: "chat-completions", dataType: "chatCompletions" as const, friendlyName: "Chat", apiKeySecretName: "openai-project-key" },
];

describe("reconciler", () => {
  it("creates missing collectors, revives one that ended, and leaves a stopped one stopped", async () => {
    const app = await startLocalApp(NOW);
    try {
      await app.reconcile(declared);
      assert.deepEqual(runtimeStatuses(app), ["collector-audit-logs:Running", "collector-chat-completions:Running"]);

      // A user changes one through the API, stops the other; an instance dies unexpectedly.
      await app.api("PUT", "/api/collectors/audit-logs", { dataType: "auditLogs", friendlyName: "Renamed by a user", apiKeySecretName: "openai-admin-key" });
      await app.api("POST", "/api/collectors/chat-completions/stop");
      await app.advance(1_000);
      app.host.terminate("collector-audit-logs", "host crashed");
      await app.reconcile(declared);
      await app.advance(1_000);

      const views = ((await app.api("GET", "/api/collectors")).body as { collectors: Array<{ id: string; status: string; friendlyName: string }> }).collectors;
      assert.deepEqual(views.map((v) => [v.id, v.status, v.friendlyName]), [["audit-logs", "running", "Renamed by a user"], ["chat-completions", "stopped", "Chat"]]);
      assert.match(app.logs.join("\n"), /reconciled collectors: audit-logs revived, chat-completions leftStopped/);
    } finally {
      await app.stop();
    }
  });
});

describe("reconciler, collectors not declared", () => {
  it("revives every collector that should run and whose instance Failed, was terminated or is gone; leaves a stopped one; purges a deleted one's leftover", async () => {
    const app = await startLocalApp(NOW);
    try {
      app.stack.openai.addAuditEvents(generateAuditEvents(600, NOW / 1000 - 3_600, NOW / 1000 - 120, 41));
      const body = { dataType: "auditLogs", friendlyName: "Made in the API", apiKeySecretName: "openai-admin-key", startTime: new Date(NOW - 3_600_000).toISOString() };
      for (const id of ["failed", "terminated", "missing", "stopped", "gone"]) assert.equal((await app.api("PUT", `/api/collectors/${id}`, { ...body, friendlyName: id })).status, 201);
      // Past the first poll interval: each instance has continued as new with its cursor (a generation waits before it does).
      await app.advance(420_000);
      const rowsOf = (id: string) => app.stack.ingestion.rows(AUDIT_LOGS_STREAM).filter((r) => r.ConnectorName === id);
      const delivered = (id: string) => rowsOf(id).length;
      await app.api("POST", "/api/collectors/stopped/stop");
      await app.api("DELETE", "/api/collectors/gone");
      await app.advance(1_000);
      // What the platform can do to instances: fail one, terminate one, lose one; and a reset racing a delete leaves an ended instance behind.
      for (const id of ["failed", "terminated", "missing", "stopped"]) app.host.terminate(`collector-${id}`, "host crashed");
      await app.host.idle();
      app.host.instances.get("collector-failed")!.runtimeStatus = "Failed";
      const kept = { terminated: delivered("terminated"), missing: delivered("missing") };
      app.host.purge("collector-missing");
      app.host.startNew("collectorOrchestrator", "collector-gone", initialState("gone", body.startTime));
      await app.host.idle();
      const before = ((await app.api("GET", "/api/collectors")).body as { collectors: Array<{ id: string; status: string }> }).collectors.map((c) => [c.id, c.status]);

      await app.reconcile([]);
      await app.advance(1_000);
      const after = ((await app.api("GET", "/api/collectors")).body as { collectors: Array<{ id: string; status: string; rowsIngested: number }> }).collectors;
      assert.deepEqual({ before, after: after.map((c) => [c.id, c.status]), instances: runtimeStatuses(app).sort() }, {
        before: [["failed", "failed"], ["missing", "notRunning"], ["stopped", "stopped"], ["terminated", "notRunning"]],
        after: [["failed", "running"], ["missing", "running"], ["stopped", "stopped"], ["terminated", "running"]],
        instances: ["collector-failed:Running", "collector-missing:Running", "collector-stopped:Terminated", "collector-terminated:Running"],
      });
      assert.match(app.logs.join("\n"), /reconciled collectors: failed revived, gone purged, missing revived, stopped leftStopped, terminated revived/);
      // A revived instance resumes its kept cursor (the generation it was in is read again, no more); one whose instance is gone
      // starts its run again (everything once more).
      const distinct = (id: string) => new Set(rowsOf(id).map((r) => r.Id)).size;
      assert.deepEqual([kept.terminated, distinct("terminated"), delivered("terminated") < 2 * kept.terminated, delivered("missing")], [600, 600, true, 2 * kept.missing]);
    } finally {
      await app.stop();
    }
  });
});
