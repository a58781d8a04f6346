/** Faults: 429 storms, 5xx, Logs Ingestion throttling, a Key Vault outage. Nothing lost, nothing twice, never Failed. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AUDIT_LOGS_STREAM, CHAT_COMPLETIONS_STREAM } from "../../src/config";
import { replayMismatches, startLocalApp, type LocalApp } from "../fakes/localApp";
import { generateAuditEvents, generateCompletions } from "../../src/local/fakes/generate";
import { assertEveryIdOnce, createCollector, runtimeStatuses } from "./helpers";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const T = NOW / 1000;

describe("collection under faults", () => {
  let app: LocalApp;
  const events = generateAuditEvents(6_000, T - 86_400, T - 120, 301);
  const completions = generateCompletions(1_500, T - 86_400, T - 60, 302);
  const states = new Set<string>();
  const watchStates = () => {
    for (const r of app.host.instances.values()) states.add(`${r.instanceId}:${(r.customStatus as { state?: string } | null)?.state ?? "-"}`);
    return false;
  };

  before(async () => {
    app = await startLocalApp(NOW);
    app.stack.openai.addAuditEvents(events);
    app.stack.openai.addCompletions(completions);
  });
  after(async () => { await app.stop(); });

  it("rides out a 429 storm with Retry-After, 5xx bursts and connection resets", async () => {
    app.stack.openai.injectFault({ kind: "status", status: 429, headers: { "retry-after": "20" }, body: { error: { message: "Rate limit reached", type: "requests", param: null, code: "rate_limit_exceeded" } } }, 40);
    app.stack.openai.injectFault({ kind: "status", status: 502 }, 9);
    app.stack.openai.injectFault({ kind: "reset" }, 6);
    await createCollector(app, "org-audit", { dataType: "auditLogs", friendlyName: "Org", apiKeySecretName: "openai-admin-key", startTime: new Date(NOW - 86_400_000).toISOString() });
    await createCollector(app, "chat", { dataType: "chatCompletions", friendlyName: "Chat", apiKeySecretName: "openai-project-key", startTime: new Date(NOW - 86_400_000).toISOString() });
    await app.runUntil(() => watchStates() || (app.stack.ingestion.rows(AUDIT_LOGS_STREAM).length >= events.length && app.stack.ingestion.rows(CHAT_COMPLETIONS_STREAM).length >= completions.length), 6 * 3_600_000);
    assertEveryIdOnce(app, AUDIT_LOGS_STREAM, events.map((e) => e.id));
    assertEveryIdOnce(app, CHAT_COMPLETIONS_STREAM, completions.map((c) => c.id));
    assert.ok(states.has("collector-org-audit:backingOff") && states.has("collector-chat:backingOff"), [...states].join(" "));
  });

  it("backs off when Logs Ingestion throttles without Retry-After, and when the SDK's retries run out on 503", async () => {
    const now = app.clock.now() / 1000;
    const more = generateAuditEvents(800, now - 100, now + 500, 303);
    app.stack.openai.addAuditEvents(more);
    app.stack.ingestion.injectFault({ status: 429 }, 3); // no Retry-After: the SDK does not retry it
    app.stack.ingestion.injectFault({ status: 503, retryAfterSeconds: 0 }, 8);
    await app.advance(3 * 3_600_000);
    assertEveryIdOnce(app, AUDIT_LOGS_STREAM, [...events, ...more].map((e) => e.id));
    const audit = (await app.api("GET", "/api/collectors/org-audit")).body as { lastError: { kind: string; message: string } | null; status: string };
    assert.equal(audit.status, "running");
    assert.match(audit.lastError?.message ?? "", /Logs Ingestion Custom-OpenAIAuditLogs_CL .*HTTP (429|503)/);
  });

  it("waits out a Key Vault outage and resumes by itself", async () => {
    const now = app.clock.now() / 1000;
    const more = generateCompletions(400, now, now + 3600, 304);
    app.stack.openai.addCompletions(more);
    // The cache holds keys for 5 minutes; the outage outlasts it.
    app.stack.vault.outageStatus = 503;
    await app.advance(3_600_000);
    const during = (await app.api("GET", "/api/collectors/chat")).body as { status: string; lastError: { message: string } };
    app.stack.vault.outageStatus = undefined;
    await app.advance(2 * 3_600_000);
    assert.deepEqual([during.status, /Key Vault .*openai-project-key.*temporarily unavailable/.test(during.lastError.message)], ["backingOff", true]);
    assertEveryIdOnce(app, CHAT_COMPLETIONS_STREAM, [...completions, ...more].map((c) => c.id));
    assert.deepEqual(runtimeStatuses(app), ["collector-org-audit:Running", "collector-chat:Running"]);
    assert.deepEqual(await replayMismatches(app.host), []);
  });
});
