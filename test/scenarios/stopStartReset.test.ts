/** Stop then start (no gap, at most one page read twice) and reset with a startTime. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AUDIT_LOGS_STREAM } from "../../src/config";
import { replayMismatches, startLocalApp } from "../fakes/localApp";
import { generateAuditEvents } from "../../src/local/fakes/generate";
import { arrivals, assertEveryIdOnce, createCollector, runtimeStatuses } from "./helpers";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const T = NOW / 1000;
const body = { dataType: "auditLogs", friendlyName: "Org", apiKeySecretName: "openai-admin-key", startTime: new Date(NOW - 3 * 86_400_000).toISOString() };

/** Audit page requests keyed by what they ask for; a key seen twice is a page read twice. */
function pageReads(requests: ReadonlyArray<{ path: string; query: URLSearchParams; status: number }>): Map<string, number> {
  const reads = new Map<string, number>();
  for (const r of requests) {
    if (r.path !== "/v1/organization/audit_logs" || r.status !== 200) continue;
    const key = `${r.query.get("tenant_only") ?? "org"}-${r.query.get("effective_at[gte]")}-${r.query.get("effective_at[lt]")}-${r.query.get("after")}`;
    reads.set(key, (reads.get(key) ?? 0) + 1);
  }
  return reads;
}

describe("stop and start", () => {
  it("stopping mid-backfill settles with no further OpenAI request; starting resumes with no gap and no page read twice", async () => {
    const app = await startLocalApp(NOW);
    try {
      const events = generateAuditEvents(15_000, T - 3 * 86_400, T - 120, 501);
      app.stack.openai.addAuditEvents(events);
      let auditRequests = 0;
      let stopResponse: Promise<{ status: number; body: unknown }> | undefined;
      app.stack.openai.onRequest = (path) => {
        if (path === "/v1/organization/audit_logs" && ++auditRequests === 40) stopResponse = app.api("POST", "/api/collectors/org/stop");
      };
      await createCollector(app, "org", body);
      await app.advance(1_000);
      const stopped = await stopResponse!;
      const atStop = app.stack.openai.requests.length;
      const view = (await app.api("GET", "/api/collectors/org")).body as { status: string; rowsIngested: number };
      assert.equal(stopped.status, 202);
      assert.equal(view.status, "stopped");
      assert.ok(view.rowsIngested > 0 && view.rowsIngested < events.length, `stopped after ${view.rowsIngested} rows`);

      await app.advance(2 * 3_600_000);
      assert.equal(app.stack.openai.requests.length, atStop, "no OpenAI request while stopped");
      assert.deepEqual(runtimeStatuses(app), ["collector-org:Running"]);

      assert.equal((await app.api("POST", "/api/collectors/org/start")).status, 200);
      await app.advance(600_000);
      assertEveryIdOnce(app, AUDIT_LOGS_STREAM, events.map((e) => e.id));
      const twice = [...pageReads(app.stack.openai.requests)].filter(([, n]) => n > 1);
      assert.deepEqual(twice, [], "a graceful stop re-reads no page");
      assert.deepEqual(await replayMismatches(app.host), []);
    } finally {
      await app.stop();
    }
  });
});

describe("reset", () => {
  it("forgets the cursor, purges history, and collects again from the given startTime; delete removes the page progress", async () => {
    const app = await startLocalApp(NOW);
    try {
      const events = generateAuditEvents(3_000, T - 2 * 86_400, T - 120, 502);
      app.stack.openai.addAuditEvents(events);
      await createCollector(app, "org", { ...body, startTime: new Date(NOW - 2 * 86_400_000).toISOString() });
      await app.advance(60_000);
      assertEveryIdOnce(app, AUDIT_LOGS_STREAM, events.map((e) => e.id));
      const historyBefore = app.host.instances.get("collector-org")!.createdTime;

      await app.advance(60_000);
      const resetStart = new Date(NOW - 86_400_000).toISOString();
      const reset = await app.api("POST", "/api/collectors/org/reset", { startTime: resetStart });
      await app.advance(60_000);
      assert.deepEqual([reset.status, (reset.body as { startTime: string }).startTime], [200, resetStart]);
      const counts = arrivals(app, AUDIT_LOGS_STREAM);
      const since = events.filter((e) => e.effective_at >= T - 86_400);
      assert.deepEqual(
        [since.every((e) => counts.get(e.id) === 2), events.filter((e) => e.effective_at < T - 86_400).every((e) => counts.get(e.id) === 1)],
        [true, true]);
      const instance = app.host.instances.get("collector-org")!;
      assert.ok(instance.createdTime > historyBefore, "a new instance replaced the purged one");
      const view = (await app.api("GET", "/api/collectors/org")).body as { rowsIngested: number; status: string; cursor: { watermark: string } };
      assert.deepEqual([view.status, view.rowsIngested], ["running", since.length]);

      // Deleting it removes its page progress too.
      const progressBefore = app.host.readEntity("deliveryProgress", "org").exists;
      assert.equal((await app.api("DELETE", "/api/collectors/org")).status, 204);
      await app.advance(1_000);
      assert.deepEqual([progressBefore, app.host.readEntity("deliveryProgress", "org").exists, app.host.readEntity("collector", "org").exists], [true, false, false]);
    } finally {
      await app.stop();
    }
  });
});
