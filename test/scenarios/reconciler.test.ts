/** The reconciler: declared collectors are created and kept running, without undoing an explicit stop. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startLocalApp } from "../fakes/localApp";
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
