/**
 * Issue #10 part 2 through the whole app: a page whose rows need two Logs Ingestion requests, the
 * first accepted and the second answered 503 until the SDK's retries are spent. The retry must
 * send only what was not accepted: 0 duplicates, nothing lost, for both data types.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AUDIT_LOGS_STREAM, CHAT_COMPLETIONS_STREAM } from "../../src/config";
import { generateAuditEvents, generateCompletions } from "../../src/local/fakes/generate";
import { replayMismatches, startLocalApp } from "../fakes/localApp";
import { assertEveryIdOnce, createCollector } from "./helpers";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const T = NOW / 1000;
/** The SDK's attempts per request in the test stack (first try and 3 retries). */
const SDK_ATTEMPTS = 4;
const TWELVE_KB = "x".repeat(12 * 1024);

describe("a partly accepted upload", () => {
  it("of one page of 100 audit events of ~12 KB (two requests) re-sends nothing that was accepted", async () => {
    const app = await startLocalApp(NOW);
    try {
      const events = generateAuditEvents(100, T - 1_800, T - 600, 601).map((e) => ({ ...e, type: "login.failed", "login.failed": { error_code: "bad", error_message: TWELVE_KB } }));
      app.stack.openai.addAuditEvents(events);
      app.stack.ingestion.injectFault({ status: 503 }, SDK_ATTEMPTS, 1);
      await createCollector(app, "audit", { dataType: "auditLogs", friendlyName: "Org", apiKeySecretName: "openai-admin-key", startTime: new Date((T - 3_600) * 1000).toISOString() });
      await app.advance(3_600_000);
      assert.equal(app.stack.ingestion.stats.rejected, SDK_ATTEMPTS);
      assertEveryIdOnce(app, AUDIT_LOGS_STREAM, events.map((e) => e.id));
      assert.deepEqual(await replayMismatches(app.host), []);
    } finally {
      await app.stop();
    }
  });

  it("of a late-sweep page (a collector started inside the late window) re-sends nothing that was accepted, then or in later sweeps", async () => {
    const app = await startLocalApp(NOW);
    try {
      // Started 10 minutes ago: its first slice is a late sweep, which skips what the ledger holds; the
      // accepted half of the page must be there (and in the slice's skip), or the next sweeps would send it again.
      const events = generateAuditEvents(100, T - 500, T - 200, 603).map((e) => ({ ...e, type: "login.failed", "login.failed": { error_code: "bad", error_message: TWELVE_KB } }));
      app.stack.openai.addAuditEvents(events);
      app.stack.ingestion.injectFault({ status: 503 }, SDK_ATTEMPTS, 1);
      await createCollector(app, "audit", { dataType: "auditLogs", friendlyName: "Org", apiKeySecretName: "openai-admin-key", startTime: new Date((T - 600) * 1000).toISOString() });
      await app.advance(3_600_000);
      assert.equal(app.stack.ingestion.stats.rejected, SDK_ATTEMPTS);
      assertEveryIdOnce(app, AUDIT_LOGS_STREAM, events.map((e) => e.id));
      assert.deepEqual(await replayMismatches(app.host), []);
    } finally {
      await app.stop();
    }
  });

  it("of one page of 100 stored completions of ~12 KB (two requests) re-sends nothing that was accepted", async () => {
    const app = await startLocalApp(NOW);
    try {
      const completions = generateCompletions(100, T - 1_800, T - 600, 602).map((c) => ({ ...c, choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: TWELVE_KB } }] }));
      app.stack.openai.addCompletions(completions);
      app.stack.ingestion.injectFault({ status: 503 }, SDK_ATTEMPTS, 1);
      await createCollector(app, "chat", { dataType: "chatCompletions", friendlyName: "Chat", apiKeySecretName: "openai-project-key", startTime: new Date((T - 3_600) * 1000).toISOString() });
      await app.advance(3_600_000);
      assert.equal(app.stack.ingestion.stats.rejected, SDK_ATTEMPTS);
      assertEveryIdOnce(app, CHAT_COMPLETIONS_STREAM, completions.map((c) => c.id));
      assert.deepEqual(await replayMismatches(app.host), []);
    } finally {
      await app.stop();
    }
  });
});
