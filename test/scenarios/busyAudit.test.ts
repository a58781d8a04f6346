/**
 * A busy audit log (issue #16): sustained events in both scopes, 20 % of them listable 2–15
 * minutes after their effective_at, 5-minute polls. Every id must land exactly once, and the
 * state must not grow with the rate: orchestration input < 16 KB, one generation's history < 64 KB.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { eventTypeScope } from "../../src/audit/eventTypes";
import { AUDIT_LOGS_STREAM } from "../../src/config";
import { generateAuditEvents, seededRandom } from "../../src/local/fakes/generate";
import { startLocalApp, SCENARIO_SETTINGS } from "../fakes/localApp";
import { assertEveryIdOnce, createCollector } from "./helpers";

const NOW = Date.parse("2026-11-25T00:00:00Z");

async function busyRun(perSecond: number, hours: number, seed: number) {
  const app = await startLocalApp(NOW, {}, { ...SCENARIO_SETTINGS, maxPagesPerActivity: 10 }, { recordEpisodes: false });
  try {
    const random = seededRandom(seed);
    const ids: string[] = [];
    let late = 0, tenant = 0;
    for (let minute = 0; minute < hours * 60; minute++) {
      const from = NOW / 1000 + minute * 60;
      for (const event of generateAuditEvents(perSecond * 60, from, from + 60, seed * 10_000 + minute)) {
        const isLate = random() < 0.2;
        const delay = isLate ? 120 + random() * 780 : random() * 30;
        if (isLate) late++;
        if (eventTypeScope(event.type) === "tenant") tenant++;
        app.stack.openai.addAuditEvents([event], (event.effective_at + delay) * 1000);
        ids.push(event.id);
      }
    }
    await createCollector(app, "busy", { dataType: "auditLogs", friendlyName: "Busy tenant", apiKeySecretName: "openai-admin-key", startTime: new Date(NOW).toISOString(), pollIntervalSeconds: 300 });
    const polls: number[] = [];
    let last = 0;
    // Run to 20 minutes past the last event's time, so the latest late arrivals are visible and swept.
    for (let t = 0; t < (hours * 60 + 20) * 60_000; t += 300_000) {
      await app.advance(300_000);
      const audit = app.stack.openai.requests.filter((r) => r.path === "/v1/organization/audit_logs").length;
      polls.push(audit - last);
      last = audit;
    }
    const figures = {
      events: ids.length, late, tenant, maxInputBytes: app.host.stats.maxInputBytes, maxGenerationBytes: app.host.stats.maxGenerationBytes,
      generations: app.host.stats.generations, requestsPerPoll: Math.round(polls.slice(2).reduce((a, b) => a + b, 0) / Math.max(1, polls.length - 2)),
      ledgerRows: app.stack.tables.rows("OpenAIDeliveredIds").length,
    };
    console.log(`busy audit log at ${perSecond}/s for ${hours} h: ${JSON.stringify(figures)}`);
    return { app, ids, figures };
  } catch (error) {
    await app.stop();
    throw error;
  }
}

describe("a busy audit log", () => {
  for (const [perSecond, hours] of [[3, 3], [10, 1]] as const) {
    it(`${perSecond} events/s for ${hours} h in both scopes, 20 % up to 15 minutes late: every id once, input < 16 KB, a generation's history < 64 KB`, async () => {
      const { app, ids, figures } = await busyRun(perSecond, hours, perSecond);
      try {
        assertEveryIdOnce(app, AUDIT_LOGS_STREAM, ids);
        assert.ok(figures.late > 0.19 * figures.events && figures.tenant > 0.15 * figures.events, JSON.stringify(figures));
        assert.ok(figures.maxInputBytes < 16_384, `largest orchestration input ${figures.maxInputBytes} B`);
        assert.ok(figures.maxGenerationBytes < 65_536, `largest generation history ${figures.maxGenerationBytes} B`);
        // The ledger holds about the capped late window (3,600 s here), not the whole run.
        assert.ok(figures.ledgerRows * 100 < perSecond * 3 * 3_600, `${figures.ledgerRows} ledger rows`);
        const view = (await app.api("GET", "/api/collectors/busy")).body as { status: string; lastError: unknown; audit: { scopes: Record<string, { state: string; lateSkipped: unknown }> } };
        const { organization, tenant } = view.audit.scopes;
        assert.deepEqual([view.status, view.lastError, organization!.state, organization!.lateSkipped, tenant!.state, tenant!.lateSkipped], ["running", null, "collecting", null, "collecting", null]);
      } finally {
        await app.stop();
      }
    });
  }
});
