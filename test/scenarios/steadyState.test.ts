/** Six simulated hours of steady arrivals, with audit events that show up minutes late. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AUDIT_LOGS_STREAM, CHAT_COMPLETIONS_STREAM } from "../../src/config";
import { replayMismatches, startLocalApp, type LocalApp } from "../fakes/localApp";
import { generateAuditEvents, generateCompletions, seededRandom } from "../../src/local/fakes/generate";
import { assertEveryIdOnce, createCollector, runtimeStatuses } from "./helpers";

const NOW = Date.parse("2026-11-25T00:00:00Z");
const HOURS = 6;

describe("six hours of steady state with late arrivals", () => {
  let app: LocalApp;
  const auditIds: string[] = [];
  const completionIds: string[] = [];
  let lateCount = 0;
  let veryLate = 0;

  before(async () => {
    app = await startLocalApp(NOW);
    const random = seededRandom(7);
    for (let minute = 0; minute < HOURS * 60; minute++) {
      const from = NOW / 1000 + minute * 60;
      for (const event of generateAuditEvents(4, from, from + 60, 1000 + minute)) {
        // Most events are visible at once, some a few minutes late, a few up to 23 minutes late: near the
        // documented limit of AUDIT_OVERLAP_SECONDS (1,800) − poll interval (300) = 25 minutes.
        const r = random();
        const delaySeconds = r < 0.8 ? random() * 30 : r < 0.95 ? 60 + random() * 240 : 300 + random() * 1_080;
        if (delaySeconds > 60) lateCount++;
        if (delaySeconds > 900) veryLate++;
        app.stack.openai.addAuditEvents([event], (event.effective_at + delaySeconds) * 1000);
        auditIds.push(event.id);
      }
      for (const completion of generateCompletions(3, from, from + 60, 5000 + minute)) {
        app.stack.openai.addCompletions([completion], (completion.created + 1) * 1000);
        completionIds.push(completion.id);
      }
    }
  });
  after(async () => { await app.stop(); });

  it("collects every event, late ones included, exactly once", async () => {
    await createCollector(app, "org-audit", { dataType: "auditLogs", friendlyName: "Org", apiKeySecretName: "openai-admin-key", startTime: new Date(NOW).toISOString() });
    await createCollector(app, "chat", { dataType: "chatCompletions", friendlyName: "Chat", apiKeySecretName: "openai-project-key", startTime: new Date(NOW).toISOString(), pollIntervalSeconds: 120 });
    await app.advance((HOURS * 60 + 45) * 60_000);
    assert.ok(lateCount > 100 && veryLate > 10, `only ${lateCount} late events, ${veryLate} over 15 minutes`);
    assertEveryIdOnce(app, AUDIT_LOGS_STREAM, auditIds);
    assertEveryIdOnce(app, CHAT_COMPLETIONS_STREAM, completionIds);
    assert.deepEqual(runtimeStatuses(app), ["collector-org-audit:Running", "collector-chat:Running"]);
  });

  it("polls at the configured intervals, keeps lag within a poll, and reports no error", async () => {
    const views = ((await app.api("GET", "/api/collectors")).body as { collectors: Array<{ id: string; lag: number; lastError: unknown; status: string }> }).collectors;
    assert.deepEqual(views.map((v) => [v.id, v.status, v.lastError]), [["chat", "running", null], ["org-audit", "running", null]]);
    // ~72 audit polls and ~180 chat polls in 6.5 h, each a generation.
    const generations = app.host.stats.generations;
    assert.ok(generations > 72 + 180 && generations < 400, `${generations} generations`);
    assert.deepEqual(await replayMismatches(app.host), []);
  });
});
