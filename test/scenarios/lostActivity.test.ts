/**
 * A page activity lost by the platform (its Node worker exited before the result reached the host),
 * which the real engine reports to the orchestrator as the activity's failure (seen on the engine
 * tests: test/engine/faults.test.ts). On the local host the same failure is injected: the collector
 * backs off and reads the lost pages again; nothing is lost and no instance ends Failed.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AUDIT_LOGS_STREAM, CHAT_COMPLETIONS_STREAM } from "../../src/config";
import { AUDIT_SLICE_ACTIVITY, CHAT_PAGES_ACTIVITY } from "../../orchestrators/names";
import { replayMismatches, startLocalApp } from "../fakes/localApp";
import { generateAuditEvents, generateCompletions } from "../../src/local/fakes/generate";
import { arrivals, createCollector, runtimeStatuses } from "./helpers";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const T = NOW / 1000;
const WORKER_EXIT = "node exited with code 137 (0x89)";

describe("a page activity lost by the platform", () => {
  it("is read again after a backoff: every id lands, the loss shows in status, nothing ends Failed", async () => {
    const calls = new Map<string, number>();
    // The third audit activity and the second chat activity lose their results after uploading.
    const lose = (name: string) => {
      const n = (calls.get(name) ?? 0) + 1;
      calls.set(name, n);
      return (name === AUDIT_SLICE_ACTIVITY && n === 3) || (name === CHAT_PAGES_ACTIVITY && n === 2) ? WORKER_EXIT : undefined;
    };
    const app = await startLocalApp(NOW, {}, undefined, { loseActivityResult: lose });
    try {
      const events = generateAuditEvents(5_000, T - 86_400, T - 120, 701);
      const completions = generateCompletions(1_200, T - 86_400, T - 60, 702);
      app.stack.openai.addAuditEvents(events);
      app.stack.openai.addCompletions(completions);
      const startTime = new Date(NOW - 86_400_000 - 60_000).toISOString();
      await createCollector(app, "org", { dataType: "auditLogs", friendlyName: "Org", apiKeySecretName: "openai-admin-key", startTime });
      await createCollector(app, "chat", { dataType: "chatCompletions", friendlyName: "Chat", apiKeySecretName: "openai-project-key", startTime });
      await app.advance(600_000);

      for (const [stream, ids] of [[AUDIT_LOGS_STREAM, events.map((e) => e.id)], [CHAT_COMPLETIONS_STREAM, completions.map((c) => c.id)]] as const) {
        const counts = arrivals(app, stream);
        assert.deepEqual([ids.filter((id) => !counts.has(id)).length, counts.size], [0, ids.length], `${stream}: every id arrives`);
        assert.ok([...counts.values()].some((n) => n > 1), `${stream}: the lost activity's rows arrive again`);
      }
      for (const id of ["org", "chat"]) {
        const view = (await app.api("GET", `/api/collectors/${id}`)).body as { status: string; lastError: { kind: string; message: string } | null };
        assert.deepEqual([view.status, view.lastError?.kind, view.lastError?.message.includes(WORKER_EXIT)], ["running", "failed", true], id);
      }
      assert.deepEqual(runtimeStatuses(app), ["collector-org:Running", "collector-chat:Running"]);
      assert.deepEqual(await replayMismatches(app.host), []);
    } finally {
      await app.stop();
    }
  });
});
