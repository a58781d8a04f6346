/**
 * Stored completions from an upstream that does not keep its word, through the whole app on the
 * local durable host: pages out of `created` order, `created` values that name no time or a time
 * a year ahead, and a model-filtered listing whose `created` differs from the unfiltered one.
 * Nothing is lost, nothing is delivered twice or forever, and the collector never ends Failed.
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

interface View { status: string; lastError: { message: string } | null; lag: number | null; rowsIngested: number; cursor: Record<string, unknown> }
const view = async (app: LocalApp) => (await app.api("GET", "/api/collectors/chat")).body as View;

/** Rewrites the unfiltered listing's pages while `active()` holds. */
function rewriteListing(app: LocalApp, active: () => boolean, change: (c: ChatCompletion) => void): void {
  app.stack.openai.rewriteCompletionsPage = (query, page) => {
    if (!query.get("model") && active()) for (const c of page.data) change(c);
    return page;
  };
}

describe("stored completions from an upstream that contradicts itself", () => {
  for (const [name, shift] of [
    ["one completion listed with a created before the collector's start time", () => T - 30 * 86_400],
    ["completions listed with a created five minutes older than their place in the listing", (c: ChatCompletion) => c.created - 300],
  ] as const) {
    it(`${name}: the page is an error while it lasts (never the end of the data), then every completion arrives once`, async () => {
      const app = await startLocalApp(NOW);
      try {
        const backlog = generateCompletions(6_000, T - 5 * 86_400, T - 60, 801);
        app.stack.openai.addCompletions(backlog);
        const victims = new Set([1_000, 3_000, 5_000].map((i) => backlog[i]!.id));
        let healed = false;
        rewriteListing(app, () => !healed, (c) => { if (victims.has(c.id)) c.created = shift(c); });
        await createCollector(app, "chat", chat);
        await app.advance(3_600_000);
        // The upstream keeps the contradiction: the collector waits on it and says which completion, delivering nothing twice.
        const stuck = await view(app);
        assert.deepEqual([stuck.status, runtimeStatuses(app)], ["backingOff", ["collector-chat:Running"]]);
        assert.match(stuck.lastError?.message ?? "", /malformed response: completions out of order=desc: chatcmpl-\S+ \(created \d+\) is listed after (chatcmpl-\S+|the completion the page continues after) \(created \d+\)/);
        assert.ok(stuck.rowsIngested > 0 && stuck.rowsIngested < backlog.length && [...arrivals(app, CHAT_COMPLETIONS_STREAM).values()].every((n) => n === 1), `${stuck.rowsIngested} rows`);
        healed = true;
        await app.advance(3_600_000);
        assertEveryIdOnce(app, CHAT_COMPLETIONS_STREAM, backlog.map((c) => c.id));
        const after = await view(app);
        assert.deepEqual([after.status, after.rowsIngested], ["running", backlog.length]);
        assert.deepEqual(await replayMismatches(app.host), []);
      } finally {
        await app.stop();
      }
    });
  }

  it("a model-filtered listing that reports every created two hours later than the completions say: anchors are read again, every completion arrives once", async () => {
    const app = await startLocalApp(NOW);
    try {
      const backlog = generateCompletions(6_000, T - 5 * 86_400, T - 60, 801);
      app.stack.openai.addCompletions(backlog);
      app.stack.openai.rewriteCompletionsPage = (query, page) => {
        if (query.get("model")) for (const c of page.data) c.created += 7_200;
        return page;
      };
      await createCollector(app, "chat", chat);
      await app.advance(3 * 3_600_000);
      assertEveryIdOnce(app, CHAT_COMPLETIONS_STREAM, backlog.map((c) => c.id));
      const gets = app.stack.openai.requests.filter((r) => /^\/v1\/chat\/completions\/[^/]+$/.test(r.path)).length;
      const modelListings = app.stack.openai.requests.filter((r) => r.path === "/v1/chat/completions" && r.query.get("model") !== null).length;
      assert.ok(modelListings > 0 && gets > 0, `${modelListings} model-filtered listings, ${gets} anchors read`);
      assert.equal((await view(app)).status, "running");
    } finally {
      await app.stop();
    }
  });
});

describe("stored completions with created values the cursor cannot use", () => {
  it("created beyond any date (9e12), as a fraction, as a string or as no number: each arrives once, and the collector keeps running", async () => {
    const app = await startLocalApp(NOW);
    try {
      const backlog = generateCompletions(2_000, T - 3_600, T - 60, 811);
      const odd: ChatCompletion[] = [
        { ...backlog[0]!, id: "chatcmpl-beyond", created: 9e12 },
        { ...backlog[1]!, id: "chatcmpl-fraction", created: T - 120.5 },
      ];
      app.stack.openai.addCompletions([...backlog, ...odd]);
      // Two listed with created as strings: one a number in a string, one not a time at all.
      const asString = backlog[1_500]!.id, asWord = backlog[700]!.id;
      rewriteListing(app, () => true, (c) => {
        if (c.id === asString) (c as { created: unknown }).created = String(c.created);
        if (c.id === asWord) (c as { created: unknown }).created = "yesterday";
      });
      await createCollector(app, "chat", { ...chat, startTime: new Date(NOW - 7_200_000).toISOString() });
      await app.advance(2 * 3_600_000);
      assertEveryIdOnce(app, CHAT_COMPLETIONS_STREAM, [...backlog, ...odd].map((c) => c.id));
      const v = await view(app);
      assert.deepEqual([v.status, v.lastError, runtimeStatuses(app), v.cursor.unplacedCreated, v.cursor.futureDated, v.cursor.newest], [
        "running", null, ["collector-chat:Running"], 2, 0, new Date(backlog[backlog.length - 1]!.created * 1000).toISOString(),
      ]);
      // The lag counts from the newest completion that names a time, not from 9e12.
      assert.equal(v.lag, Math.floor(app.clock.now() / 1000) - backlog[backlog.length - 1]!.created);
      assert.deepEqual(await replayMismatches(app.host), []);
    } finally {
      await app.stop();
    }
  });

  it("one completion created a year ahead: delivered once, but the lag still grows and later completions are not counted late", async () => {
    const app = await startLocalApp(NOW);
    try {
      const first = generateCompletions(50, T - 600, T - 60, 831);
      const future: ChatCompletion = { ...first[0]!, id: "chatcmpl-future", created: T + 365 * 86_400 };
      app.stack.openai.addCompletions([...first, future]);
      const later = generateCompletions(600, T, T + 3_600, 832);
      for (const c of later) app.stack.openai.addCompletions([c], (c.created + 1) * 1000);
      await createCollector(app, "chat", { ...chat, startTime: new Date(NOW - 3_600_000).toISOString() });
      await app.advance(3_900_000);
      // Then nothing new for three hours.
      await app.advance(3 * 3_600_000);
      assertEveryIdOnce(app, CHAT_COMPLETIONS_STREAM, [...first, future, ...later].map((c) => c.id));
      const v = await view(app);
      const newest = later[later.length - 1]!.created;
      const health = app.stack.ingestion.rows("Custom-OpenAIConnectorHealth_CL");
      const nowSeconds = Math.floor(app.clock.now() / 1000);
      assert.deepEqual([v.lag! >= 3 * 3_600, v.cursor.lateCollected, v.cursor.futureDated, v.cursor.newest], [true, 0, 1, new Date(newest * 1000).toISOString()]);
      assert.ok(Math.abs(Number(health[health.length - 1]!.LagSeconds) - (nowSeconds - newest)) <= 300, JSON.stringify(health[health.length - 1]));
    } finally {
      await app.stop();
    }
  });
});
