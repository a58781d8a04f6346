/**
 * Issue #10 part 1 through the whole app: a page that says there is more but gives no way to
 * continue is an error, never the end — the audit window and the completions sweep continue,
 * whether the bad page comes once (retried in the call) or more often than the call retries.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AUDIT_LOGS_STREAM, CHAT_COMPLETIONS_STREAM } from "../../src/config";
import { replayMismatches, startLocalApp } from "../fakes/localApp";
import { generateAuditEvents, generateCompletions } from "../../src/local/fakes/generate";
import { assertEveryIdOnce, createCollector, runtimeStatuses } from "./helpers";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const T = NOW / 1000;
const EMPTY_AUDIT_PAGE = '{"object":"list","data":[],"first_id":null,"last_id":null,"has_more":true}';
const EMPTY_COMPLETIONS_PAGE = '{"data":[],"has_more":true}';

for (const times of [1, 4]) {
  describe(`a self-contradicting page ${times === 1 ? "once" : `${times} times (more than the call retries)`}`, () => {
    it("on the first audit request of a window: the window is not drained, every event arrives once", async () => {
      const app = await startLocalApp(NOW);
      try {
        const events = generateAuditEvents(1_000, T - 3_000, T - 120, 501);
        app.stack.openai.addAuditEvents(events);
        app.stack.openai.injectFault({ kind: "malformed", body: EMPTY_AUDIT_PAGE }, times, "/organization/audit_logs");
        await createCollector(app, "audit", { dataType: "auditLogs", friendlyName: "Org", apiKeySecretName: "openai-admin-key", startTime: new Date((T - 3_600) * 1000).toISOString() });
        await app.runUntil(() => app.stack.ingestion.rows(AUDIT_LOGS_STREAM).length >= events.length, 3 * 3_600_000);
        await app.advance(600_000);
        assertEveryIdOnce(app, AUDIT_LOGS_STREAM, events.map((e) => e.id));
        assert.deepEqual(runtimeStatuses(app), ["collector-audit:Running"]);
      } finally {
        await app.stop();
      }
    });

    it("on page 2 of a completions sweep: the sweep continues, every completion arrives once", async () => {
      const app = await startLocalApp(NOW);
      try {
        const completions = generateCompletions(500, T - 3_000, T - 60, 502);
        app.stack.openai.addCompletions(completions);
        let listed = 0;
        app.stack.openai.onRequest = (path) => {
          if (path === "/v1/chat/completions" && ++listed === 2) app.stack.openai.injectFault({ kind: "malformed", body: EMPTY_COMPLETIONS_PAGE }, times, "/chat/completions");
        };
        await createCollector(app, "chat", { dataType: "chatCompletions", friendlyName: "Chat", apiKeySecretName: "openai-project-key", startTime: new Date((T - 3_600) * 1000).toISOString() });
        await app.runUntil(() => app.stack.ingestion.rows(CHAT_COMPLETIONS_STREAM).length >= completions.length, 3 * 3_600_000);
        await app.advance(600_000);
        assertEveryIdOnce(app, CHAT_COMPLETIONS_STREAM, completions.map((c) => c.id));
        const view = (await app.api("GET", "/api/collectors/chat")).body as { status: string; lastError: { message: string } | null };
        assert.equal(view.status, "running");
        if (times > 1) assert.match(view.lastError?.message ?? "", /malformed response: .*has_more is true but data is empty/);
        assert.deepEqual(await replayMismatches(app.host), []);
      } finally {
        await app.stop();
      }
    });
  });
}

describe("a completions listing that ends above the watermark", () => {
  it("while a watermark item still exists is an error: the sweep continues and nothing below is skipped", async () => {
    const app = await startLocalApp(NOW);
    try {
      const first = generateCompletions(200, T - 3_000, T - 1_500, 503);
      app.stack.openai.addCompletions(first);
      await createCollector(app, "chat", { dataType: "chatCompletions", friendlyName: "Chat", apiKeySecretName: "openai-project-key", startTime: new Date((T - 3_600) * 1000).toISOString() });
      await app.runUntil(() => app.stack.ingestion.rows(CHAT_COMPLETIONS_STREAM).length >= first.length, 3_600_000);
      const later = generateCompletions(250, T - 1_400, T - 60, 504);
      app.stack.openai.addCompletions(later);
      // The next sweep's second page claims the listing ends there (empty, has_more: false).
      let continuations = 0;
      app.stack.openai.onRequest = (path, query) => {
        if (path === "/v1/chat/completions" && query.get("after") && ++continuations === 1) {
          app.stack.openai.injectFault({ kind: "malformed", body: '{"object":"list","data":[],"first_id":null,"last_id":null,"has_more":false}' }, 1, "/chat/completions");
        }
      };
      await app.advance(2 * 3_600_000);
      assertEveryIdOnce(app, CHAT_COMPLETIONS_STREAM, [...first, ...later].map((c) => c.id));
      assert.equal(continuations > 1, true);
    } finally {
      await app.stop();
    }
  });
});

describe("a stored-completions listing that ends above the segment's floor", () => {
  it("while a completion the pass before listed below that floor still exists is an error: the pass continues, nothing created during an outage is skipped", async () => {
    const app = await startLocalApp(NOW);
    try {
      const first = generateCompletions(200, T - 3_000, T - 1_500, 505);
      app.stack.openai.addCompletions(first);
      await createCollector(app, "chat", { dataType: "chatCompletions", friendlyName: "Chat", apiKeySecretName: "openai-project-key", startTime: new Date((T - 3_600) * 1000).toISOString() });
      await app.runUntil(() => app.stack.ingestion.rows(CHAT_COMPLETIONS_STREAM).length >= first.length, 3_600_000);
      // Stopped for four hours; 900 completions are created meanwhile, far more than a late horizon above the next pass's floor.
      assert.ok((await app.api("POST", "/api/collectors/chat/stop")).status < 300);
      await app.advance(4 * 3_600_000);
      const meanwhile = generateCompletions(900, T + 600, T + 3 * 3_600, 506);
      app.stack.openai.addCompletions(meanwhile);
      // Its third page claims the listing ends there (empty, has_more: false), once.
      let continuations = 0;
      app.stack.openai.onRequest = (path, query) => {
        if (path === "/v1/chat/completions" && query.get("after") && ++continuations === 2) {
          app.stack.openai.injectFault({ kind: "malformed", body: '{"object":"list","data":[],"first_id":null,"last_id":null,"has_more":false}' }, 1, "/chat/completions");
        }
      };
      assert.ok((await app.api("POST", "/api/collectors/chat/start")).status < 300);
      await app.advance(2 * 3_600_000);
      assertEveryIdOnce(app, CHAT_COMPLETIONS_STREAM, [...first, ...meanwhile].map((c) => c.id));
      assert.equal(continuations > 2, true);
      assert.deepEqual(await replayMismatches(app.host), []);
    } finally {
      await app.stop();
    }
  });
});
