/**
 * A stored-completions backlog read by several segments at once, on the real durable host, with
 * every completeness hazard of partitioning it: a model nobody knew, completions created while the
 * segments run, deletion of the completion any segment's (or the anchor search's) `after` points
 * at, under both server answers to a dead `after`, and dense ties at every partition boundary.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CHAT_COMPLETIONS_STREAM } from "../../src/config";
import { generateCompletions } from "../../src/local/fakes/generate";
import type { ChatCompletion } from "../../src/openai/types";
import { replayMismatches, startLocalApp, type LocalApp } from "../fakes/localApp";
import { arrivals, assertEveryIdOnce, createCollector, runtimeStatuses } from "./helpers";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const T = NOW / 1000;
const chat = { dataType: "chatCompletions", friendlyName: "Chat", apiKeySecretName: "openai-project-key", startTime: new Date(NOW - 10 * 86_400_000).toISOString() };

/** Distinct segments the activity logs named ("[lo,hi)"). */
function segmentsSeen(app: LocalApp): Set<string> {
  return new Set(app.logs.flatMap((l) => /chat chat (\[\d+,(\d+|top)\))/.exec(l)?.[1] ?? []));
}

async function finish(app: LocalApp, expected: readonly string[]): Promise<void> {
  await app.runUntil(() => expected.every((id) => arrivals(app, CHAT_COMPLETIONS_STREAM).has(id)), 3_600_000);
  await app.advance(600_000);
}

describe("a stored-completions backlog read by parallel segments", () => {
  it("collects every completion once, a model nobody knew and completions created meanwhile included", async () => {
    const app = await startLocalApp(NOW);
    try {
      const backlog = generateCompletions(6_000, T - 5 * 86_400, T - 60, 701);
      // One completion of an unknown model in the middle of the backlog, three near its ends.
      const odd: ChatCompletion[] = [T - 3 * 86_400 + 17, T - 4 * 86_400, T - 200, T - 5 * 86_400 + 3].map((created, i) => ({ ...backlog[i]!, id: `chatcmpl-odd${i}`, created, model: "brand-new-model-2026" }));
      app.stack.openai.addCompletions([...backlog, ...odd]);
      const meanwhile = generateCompletions(300, T, T + 600, 702);
      let listings = 0;
      app.stack.openai.onRequest = (path) => {
        if (path === "/v1/chat/completions" && ++listings === 20) app.stack.openai.addCompletions(meanwhile, app.clock.now());
      };
      await createCollector(app, "chat", chat);
      await app.advance(700_000);
      const expected = [...backlog, ...odd, ...meanwhile].map((c) => c.id);
      await finish(app, expected);
      assertEveryIdOnce(app, CHAT_COMPLETIONS_STREAM, expected);
      assert.ok(listings > 20 && segmentsSeen(app).size >= 6, `${segmentsSeen(app).size} segments: ${[...segmentsSeen(app)].join(" ")}`);
      const modelListings = app.stack.openai.requests.filter((r) => r.path === "/v1/chat/completions" && r.query.get("model") !== null);
      assert.ok(modelListings.length > 0, "anchors were found with a model filter");
      const status = (await app.api("GET", "/api/collectors/chat")).body as { status: string; lastError: unknown; rowsIngested: number };
      assert.deepEqual([status.status, status.lastError, status.rowsIngested], ["running", null, expected.length]);
      assert.deepEqual(runtimeStatuses(app), ["collector-chat:Running"]);
      assert.deepEqual(await replayMismatches(app.host), []);
    } finally {
      await app.stop();
    }
  });

  it("collects 100 completions per second once each, whichever second the segments split at", async () => {
    const app = await startLocalApp(NOW);
    try {
      // 6,000 completions in one minute: every page, anchor and boundary falls among ties.
      const dense = generateCompletions(6_000, T - 3_600, T - 3_540, 703);
      app.stack.openai.addCompletions(dense);
      await createCollector(app, "chat", { ...chat, startTime: new Date(NOW - 7_200_000).toISOString() });
      await finish(app, dense.map((c) => c.id));
      assertEveryIdOnce(app, CHAT_COMPLETIONS_STREAM, dense.map((c) => c.id));
      const boundaries = [...segmentsSeen(app)].map((s) => Number(/,(\d+)\)/.exec(s)?.[1])).filter((n) => !Number.isNaN(n));
      assert.ok(boundaries.length >= 3 && boundaries.every((b) => dense.filter((c) => c.created === b).length >= 90), `boundaries ${boundaries.join(",")}`);
    } finally {
      await app.stop();
    }
  });

  for (const deletedAfter of ["404", "emptyPage"] as const) {
    it(`deleting the completion any segment's or the anchor search's after names never stalls or loses one (dead after: ${deletedAfter})`, async () => {
      const app = await startLocalApp(NOW, { deletedAfter });
      try {
        const backlog = generateCompletions(6_000, T - 5 * 86_400, T - 60, 704);
        app.stack.openai.addCompletions(backlog);
        const deleted = new Set<string>();
        const seenAfter = new Set<string>();
        let continuations = 0, modelContinuations = 0;
        app.stack.openai.onRequest = (path, query) => {
          const after = query.get("after");
          if (path !== "/v1/chat/completions" || !after || deleted.has(after)) return;
          const first = !seenAfter.has(after);
          seenAfter.add(after);
          // Every 6th continuation of a segment (its first page after a start anchor included), and the anchor search's second.
          const victim = query.get("model") !== null ? ++modelContinuations === 2 : first && ++continuations % 6 === 0;
          if (victim) { deleted.add(after); app.stack.openai.deleteCompletion(after); }
        };
        await createCollector(app, "chat", chat);
        const survivors = backlog.map((c) => c.id).filter((id) => !deleted.has(id));
        await app.advance(2_000_000);
        await finish(app, backlog.map((c) => c.id).filter((id) => !deleted.has(id)));
        const counts = arrivals(app, CHAT_COMPLETIONS_STREAM);
        const expected = backlog.map((c) => c.id).filter((id) => !deleted.has(id) || counts.has(id));
        assertEveryIdOnce(app, CHAT_COMPLETIONS_STREAM, expected);
        const dead = app.stack.openai.requests.filter((r) => r.path === "/v1/chat/completions" && deleted.has(r.query.get("after") ?? "")).length;
        assert.ok(deleted.size >= 4 && dead >= deleted.size && survivors.length > 5_900, `${deleted.size} deleted, ${dead} dead listings`);
        if (deletedAfter === "emptyPage") assert.ok(app.stack.openai.requests.some((r) => /^\/v1\/chat\/completions\/chatcmpl-/.test(r.path)), "a silent empty page after an id is checked with a GET of that id");
        const status = (await app.api("GET", "/api/collectors/chat")).body as { status: string; lastError: unknown };
        assert.deepEqual([status.status, status.lastError, runtimeStatuses(app)], ["running", null, ["collector-chat:Running"]]);
      } finally {
        await app.stop();
      }
    });
  }
});
