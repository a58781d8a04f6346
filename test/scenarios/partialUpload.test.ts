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

/**
 * Runs an app for an hour whose Logs Ingestion fake fails one request (the second of a page) until
 * the SDK's retries are spent, with `items` listed by a collector of `dataType` started at
 * `startSeconds`; asserts each id arrived exactly once.
 */
async function uploadPartlyAccepted(dataType: "auditLogs" | "chatCompletions", ids: readonly string[], add: (app: Awaited<ReturnType<typeof startLocalApp>>) => void, startSeconds: number): Promise<void> {
  const app = await startLocalApp(NOW);
  try {
    add(app);
    app.stack.ingestion.injectFault({ status: 503 }, SDK_ATTEMPTS, 1);
    const [friendlyName, apiKeySecretName] = dataType === "auditLogs" ? ["Org", "openai-admin-key"] : ["Chat", "openai-project-key"];
    await createCollector(app, dataType === "auditLogs" ? "audit" : "chat", { dataType, friendlyName, apiKeySecretName, startTime: new Date(startSeconds * 1000).toISOString() });
    await app.advance(3_600_000);
    assert.equal(app.stack.ingestion.stats.rejected, SDK_ATTEMPTS);
    assertEveryIdOnce(app, dataType === "auditLogs" ? AUDIT_LOGS_STREAM : CHAT_COMPLETIONS_STREAM, ids);
    assert.deepEqual(await replayMismatches(app.host), []);
  } finally {
    await app.stop();
  }
}

/** `n` audit events of ~12 KB each (a page of 100 needs two Logs Ingestion requests) in [from, to). */
function bigAuditEvents(n: number, from: number, to: number, seed: number) {
  return generateAuditEvents(n, from, to, seed).map((e) => ({ ...e, type: "login.failed", "login.failed": { error_code: "bad", error_message: TWELVE_KB } }));
}

describe("a partly accepted upload", () => {
  it("of one page of 100 audit events of ~12 KB (two requests) re-sends nothing that was accepted", async () => {
    const events = bigAuditEvents(100, T - 1_800, T - 600, 601);
    await uploadPartlyAccepted("auditLogs", events.map((e) => e.id), (app) => app.stack.openai.addAuditEvents(events), T - 3_600);
  });

  it("of a late-sweep page (a collector started inside the late window) re-sends nothing that was accepted, then or in later sweeps", async () => {
    // Started 10 minutes ago: its first slice is a late sweep, which skips what the ledger holds; the
    // accepted half of the page must be there (and in the slice's skip), or the next sweeps would send it again.
    const events = bigAuditEvents(100, T - 500, T - 200, 603);
    await uploadPartlyAccepted("auditLogs", events.map((e) => e.id), (app) => app.stack.openai.addAuditEvents(events), T - 600);
  });

  it("of one page of 100 stored completions of ~12 KB (two requests) re-sends nothing that was accepted", async () => {
    const completions = generateCompletions(100, T - 1_800, T - 600, 602).map((c) => ({ ...c, choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: TWELVE_KB } }] }));
    await uploadPartlyAccepted("chatCompletions", completions.map((c) => c.id), (app) => app.stack.openai.addCompletions(completions), T - 3_600);
  });
});
