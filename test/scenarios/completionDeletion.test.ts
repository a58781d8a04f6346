/**
 * Deleting stored completions while collecting — including the one the sweep's cursor holds —
 * under both possible server answers to a dead `after` (404, or a silent empty page): never a
 * stall, never a manual reset, never a lost or doubled completion.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CHAT_COMPLETIONS_STREAM } from "../../src/config";
import { replayMismatches, startLocalApp } from "../fakes/localApp";
import { generateCompletions } from "../../src/local/fakes/generate";
import { arrivals, assertEveryIdOnce, createCollector, runtimeStatuses } from "./helpers";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const T = NOW / 1000;

for (const deletedAfter of ["404", "emptyPage"] as const) {
  describe(`deleted completions when the server answers a dead cursor with ${deletedAfter === "404" ? "404" : "a silent empty page"}`, () => {
    it("deleting the completion the cursor holds mid-sweep restarts the sweep without loss or duplicates", async () => {
      const app = await startLocalApp(NOW, { deletedAfter });
      try {
        // 1,500 completions are 15 pages: three activity calls of 5 pages each.
        const completions = generateCompletions(1_500, T - 86_400, T - 60, 401);
        app.stack.openai.addCompletions(completions);
        const deletedUndelivered: string[] = [];
        let continuations = 0;
        let cursorVictim: string | undefined;
        app.stack.openai.onRequest = (path, query) => {
          const after = query.get("after");
          if (path !== "/v1/chat/completions" || !after || query.get("model") !== null) return; // a segment's after, not the anchor search's
          // On the 7th continuation (in the second activity call, which resumed from the kept cursor),
          // delete the cursor's completion and an older one that has not been delivered yet.
          if (++continuations === 7) {
            cursorVictim = after;
            // With segments read at once, an after can be an anchor the segment above has not delivered yet: then it is simply gone.
            if (!arrivals(app, CHAT_COMPLETIONS_STREAM).has(after)) deletedUndelivered.push(after);
            const ids = app.stack.openai.completionIds();
            const older = ids[ids.indexOf(after) - 50]!;
            app.stack.openai.deleteCompletion(after);
            app.stack.openai.deleteCompletion(older);
            deletedUndelivered.push(older);
          }
        };
        await createCollector(app, "chat", { dataType: "chatCompletions", friendlyName: "Chat", apiKeySecretName: "openai-project-key", startTime: new Date(NOW - 2 * 86_400_000).toISOString() });
        await app.advance(60_000);
        assert.ok(cursorVictim, "the scenario deleted the cursor's completion");
        const expected = completions.map((c) => c.id).filter((id) => !deletedUndelivered.includes(id));
        assertEveryIdOnce(app, CHAT_COMPLETIONS_STREAM, expected);
        const probes = app.stack.openai.requests.filter((r) => r.path === `/v1/chat/completions/${cursorVictim}`).length;
        assert.equal(probes, deletedAfter === "emptyPage" ? 1 : 0, "a silent empty page after an id is checked with one GET of that id");

        // Now delete the newest completions (the watermark's) and keep collecting new ones.
        for (const id of app.stack.openai.completionIds().slice(-20)) app.stack.openai.deleteCompletion(id);
        const later = generateCompletions(200, app.clock.now() / 1000, app.clock.now() / 1000 + 3_000, 402);
        app.stack.openai.addCompletions(later, app.clock.now());
        await app.advance(4_000_000);
        assertEveryIdOnce(app, CHAT_COMPLETIONS_STREAM, [...expected, ...later.map((c) => c.id)]);
        const status = (await app.api("GET", "/api/collectors/chat")).body as { status: string; lastError: unknown; rowsIngested: number };
        assert.deepEqual([status.status, status.lastError, status.rowsIngested], ["running", null, expected.length + later.length]);
        assert.deepEqual(runtimeStatuses(app), ["collector-chat:Running"]);
        assert.deepEqual(await replayMismatches(app.host), []);
      } finally {
        await app.stop();
      }
    });
  });
}
