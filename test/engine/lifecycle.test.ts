/**
 * On the real Durable Task engine, through the management API: stop, start, reset with a start
 * time and delete of an audit collector; and deleting the stored completion a chat sweep's cursor
 * points at, mid-sweep.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { AUDIT_LOGS_STREAM, CHAT_COMPLETIONS_STREAM } from "../../src/config";
import { generateAuditEvents, generateCompletions } from "../../src/local/fakes/generate";
import { arrivals, assertEveryIdOnce, createCollector } from "../scenarios/helpers";
import { collectorStatuses, collectorView, ENGINE_RUN, startAzurite, startEngineApp, type Azurite } from "./engineApp";
import { replayMismatches } from "./replay";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (ENGINE_RUN) {
  describe("collector lifecycle on the real Durable engine", () => {
    let azurite: Azurite;
    before(async () => { azurite = await startAzurite(fs.createWriteStream(path.join(os.tmpdir(), `engine-azurite-lifecycle-${process.pid}.log`))); });
    after(async () => { await azurite.stop(); });

    it("stop settles with no further OpenAI request, start resumes with no gap, reset collects again from its startTime, delete removes everything", async () => {
      const app = await startEngineApp(azurite, "lifecycle", { latencyMs: 20 });
      try {
        const T = Date.now() / 1000;
        const events = generateAuditEvents(8_000, T - 2 * 86_400, T - 120, 801);
        app.stack.openai.addAuditEvents(events);
        let auditRequests = 0;
        let stopped: Promise<{ status: number }> | undefined;
        app.stack.openai.onRequest = (p) => {
          if (p === "/v1/organization/audit_logs" && ++auditRequests === 25) stopped = app.api("POST", "/api/collectors/org/stop");
        };
        await createCollector(app, "org", { dataType: "auditLogs", friendlyName: "Org", apiKeySecretName: "openai-admin-key", startTime: new Date((T - 2 * 86_400 - 60) * 1000).toISOString() });
        await app.waitFor("the stop request", () => stopped !== undefined, 60_000);
        assert.equal((await stopped!).status, 202);
        await app.waitFor("status stopped", async () => (await collectorView(app, "org")).status === "stopped", 60_000);
        const atStop = app.stack.openai.requests.length;
        const partial = (await collectorView(app, "org")).rowsIngested;
        assert.ok(partial > 0 && partial < events.length, `stopped after ${partial} rows`);
        await sleep(5_000);
        assert.equal(app.stack.openai.requests.length, atStop, "no OpenAI request while stopped");
        assert.deepEqual(await collectorStatuses(app), ["collector-org:Running"]);

        assert.equal((await app.api("POST", "/api/collectors/org/start")).status, 200);
        await app.waitFor("every event after start", async () => (await collectorView(app, "org")).rowsIngested >= events.length && arrivals(app, AUDIT_LOGS_STREAM).size >= events.length, 180_000);
        assertEveryIdOnce(app, AUDIT_LOGS_STREAM, events.map((e) => e.id));

        const resetStart = new Date((T - 86_400) * 1000).toISOString();
        const reset = await app.api("POST", "/api/collectors/org/reset", { startTime: resetStart });
        assert.deepEqual([reset.status, (reset.body as { startTime: string }).startTime], [200, resetStart], reset.text);
        const since = events.filter((e) => e.effective_at >= T - 86_400);
        await app.waitFor("the reset's backfill", async () => (await collectorView(app, "org")).rowsIngested >= since.length && since.every((e) => arrivals(app, AUDIT_LOGS_STREAM).get(e.id) === 2), 180_000);
        const counts = arrivals(app, AUDIT_LOGS_STREAM);
        assert.deepEqual([since.every((e) => counts.get(e.id) === 2), events.filter((e) => e.effective_at < T - 86_400).every((e) => counts.get(e.id) === 1)], [true, true]);
        const episodes = app.episodes();

        assert.equal((await app.api("DELETE", "/api/collectors/org")).status, 204);
        // The orchestration is purged and the entity's state deleted (the engine keeps an entity's
        // instance row after its state is deleted; readEntityState then reports it missing).
        await app.waitFor("the collector gone", async () => (await app.instances()).every((i) => i.instanceId !== "collector-org") && (await app.api("GET", "/api/collectors/org")).status === 404, 60_000)
          .catch(async (e: unknown) => { throw new Error(`${(e as Error).message}\n${JSON.stringify((await app.instances()).map((i) => [i.instanceId, i.runtimeStatus]))} ${(await app.api("GET", "/api/collectors/org")).text}`); });
        assert.deepEqual(await replayMismatches(episodes), []);
      } finally {
        await app.stop();
      }
    });

    it("deleting the completion the sweep's cursor points at restarts the sweep without loss or duplicates", async () => {
      const app = await startEngineApp(azurite, "deletion");
      try {
        const T = Date.now() / 1000;
        const completions = generateCompletions(1_500, T - 86_400, T - 60, 802);
        app.stack.openai.addCompletions(completions);
        const deletedUndelivered: string[] = [];
        let continuations = 0;
        let victim: string | undefined;
        app.stack.openai.onRequest = (p, query) => {
          const afterId = query.get("after");
          if (p !== "/v1/chat/completions" || !afterId || query.get("model") !== null) return; // a segment's after, not the anchor search's
          // In the second activity call (resumed from the kept cursor): delete the cursor's completion and an older undelivered one.
          if (++continuations === 7) {
            victim = afterId;
            // With segments read at once, an after can be an anchor the segment above has not delivered yet: then it is simply gone.
            if (!arrivals(app, CHAT_COMPLETIONS_STREAM).has(afterId)) deletedUndelivered.push(afterId);
            const ids = app.stack.openai.completionIds();
            const older = ids[ids.indexOf(afterId) - 50]!;
            app.stack.openai.deleteCompletion(afterId);
            app.stack.openai.deleteCompletion(older);
            deletedUndelivered.push(older);
          }
        };
        await createCollector(app, "chat", { dataType: "chatCompletions", friendlyName: "Chat", apiKeySecretName: "openai-project-key", startTime: new Date((T - 2 * 86_400) * 1000).toISOString() });
        const expected = () => completions.map((c) => c.id).filter((id) => !deletedUndelivered.includes(id));
        await app.waitFor("the sweep caught up", async () => {
          const view = await collectorView(app, "chat");
          return victim !== undefined && view.nextRunAt !== null && arrivals(app, CHAT_COMPLETIONS_STREAM).size >= expected().length;
        }, 180_000);
        assertEveryIdOnce(app, CHAT_COMPLETIONS_STREAM, expected());
        const view = await collectorView(app, "chat");
        assert.deepEqual([view.status, view.lastError, view.rowsIngested], ["running", null, expected().length]);
        assert.deepEqual(await collectorStatuses(app), ["collector-chat:Running"]);
        assert.deepEqual(await replayMismatches(app.episodes()), []);
      } finally {
        await app.stop();
      }
    });
  });
}
