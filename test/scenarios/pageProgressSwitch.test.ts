/**
 * The benchmark's records-off baseline (scripts/bench/run.ts, "page-progress records"): with
 * `pageProgress` off the same app collects the same rows and never writes a collector's
 * `deliveryProgress` entity; with it on (the default) multi-page calls do write it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AUDIT_LOGS_STREAM, CHAT_COMPLETIONS_STREAM } from "../../src/config";
import { generateAuditEvents, generateCompletions } from "../../src/local/fakes/generate";
import { startLocalApp } from "../fakes/localApp";
import { assertEveryIdOnce, createCollector } from "./helpers";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const T = NOW / 1000;

describe("page-progress records switch (benchmark baseline)", () => {
  for (const on of [false, true]) {
    it(`records ${on ? "on" : "off"}: every id once; the collectors' deliveryProgress entities ${on ? "hold their calls' progress" : "are never written"}`, async () => {
      const app = await startLocalApp(NOW);
      try {
        app.setPageProgress(on);
        // Scenario settings: 5 pages per call, so audit slices (about 10 pages each) and chat segments take several pages per call.
        const events = generateAuditEvents(4_000, T - 86_400, T - 120, 301);
        const completions = generateCompletions(1_500, T - 86_400, T - 60, 302);
        app.stack.openai.addAuditEvents(events);
        app.stack.openai.addCompletions(completions);
        const startTime = new Date(NOW - 2 * 86_400_000).toISOString();
        await createCollector(app, "audit", { dataType: "auditLogs", friendlyName: "audit", apiKeySecretName: "openai-admin-key", startTime });
        await createCollector(app, "chat", { dataType: "chatCompletions", friendlyName: "chat", apiKeySecretName: "openai-project-key", startTime });
        await app.runUntil(() => app.stack.ingestion.rows(AUDIT_LOGS_STREAM).length >= events.length && app.stack.ingestion.rows(CHAT_COMPLETIONS_STREAM).length >= completions.length, 3_600_000);
        assertEveryIdOnce(app, AUDIT_LOGS_STREAM, events.map((e) => e.id));
        assertEveryIdOnce(app, CHAT_COMPLETIONS_STREAM, completions.map((c) => c.id));
        assert.deepEqual(["audit", "chat"].map((id) => app.host.readEntity("deliveryProgress", id).exists), [on, on]);
      } finally {
        await app.stop();
      }
    });
  }
});
