/**
 * Stored completions at rates beyond what the late memory can remember id by id, on the local
 * durable host: nothing that was never delivered is skipped, the memory covers only the late
 * window whatever the start time, and the orchestration input stays under 16 KB and one
 * generation's history under 64 KB (issue #16's bound; both printed).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CHAT_COMPLETIONS_STREAM } from "../../src/config";
import { generateCompletions } from "../../src/local/fakes/generate";
import type { RuntimeSettings } from "../../orchestrators/state";
import { replayMismatches, SCENARIO_SETTINGS, startLocalApp, type LocalApp } from "../fakes/localApp";
import { assertEveryIdOnce, createCollector } from "./helpers";

/** The settings an app runs with unless told otherwise (CHAT_PAGES_PER_ACTIVITY 20, FETCH_PARALLELISM up to 8). */
const PRODUCTION: RuntimeSettings = { ...SCENARIO_SETTINGS, parallelism: 8, chatPagesPerActivity: 20 };

/** Largest orchestration input of the chat collector and largest generation history, bytes. */
function sizes(app: LocalApp): { input: number; generation: number } {
  const inputs = app.host.episodes.filter((e) => e.instanceId === "collector-chat").map((e) => Buffer.byteLength(JSON.stringify(e.input)));
  return { input: Math.max(...inputs), generation: app.host.stats.maxGenerationBytes };
}

interface ChatStatus { status: string; lastError: unknown; cursor: Record<string, number | string | null> }

describe("stored completions at rates beyond the late memory", () => {
  for (const [name, settings, startTime] of [
    ["scenario settings, start 5 days back", SCENARIO_SETTINGS, "2026-11-20T11:59:00Z"],
    ["production settings, start 5 days back", PRODUCTION, "2026-11-20T11:59:00Z"],
    // The earliest start time a chat collector accepts (src/collectors/startTime.ts): the memory may not grow with the years since.
    ["production settings, start at the earliest allowed start time", PRODUCTION, "2024-01-01T00:00:00Z"],
  ] as const) {
    it(`a 5-day backfill with 4,000 completions in its last 20 minutes delivers every one once (${name})`, async () => {
      const NOW = Date.parse("2026-11-25T12:00:00Z");
      const T = NOW / 1000;
      const app = await startLocalApp(NOW, {}, settings);
      try {
        const backlog = generateCompletions(3_000, T - 5 * 86_400, T - 3_600, 901);
        const recent = generateCompletions(4_000, T - 1_200, T - 10, 902);
        app.stack.openai.addCompletions([...backlog, ...recent]);
        await createCollector(app, "chat", { dataType: "chatCompletions", friendlyName: "Chat", apiKeySecretName: "openai-project-key", startTime });
        await app.advance(2 * 3_600_000);
        assertEveryIdOnce(app, CHAT_COMPLETIONS_STREAM, [...backlog, ...recent].map((c) => c.id));
        const { status, lastError, cursor } = (await app.api("GET", "/api/collectors/chat")).body as ChatStatus;
        const size = sizes(app);
        console.log(`busy backfill (${name}): largest input ${size.input} B, largest generation ${size.generation} B`);
        assert.deepEqual([status, lastError, cursor.lateRedelivered], ["running", null, 0]);
        assert.ok(size.input < 16_384 && size.generation < 65_536, JSON.stringify(size));
      } finally {
        await app.stop();
      }
    });
  }

  for (const [name, settings] of [["scenario settings", SCENARIO_SETTINGS], ["production settings", PRODUCTION]] as const) {
    it(`10 completions a second for 40 minutes, none late, 5-minute polls: every one once, nothing delivered again, input and history bounded (${name})`, async () => {
      const NOW = Date.parse("2026-11-25T00:00:00Z");
      const T = NOW / 1000;
      const app = await startLocalApp(NOW, {}, settings);
      try {
        const ids: string[] = [];
        for (let minute = 0; minute < 40; minute++) {
          for (const c of generateCompletions(600, T + minute * 60, T + minute * 60 + 60, 5_000 + minute)) {
            app.stack.openai.addCompletions([c], (c.created + 1) * 1000);
            ids.push(c.id);
          }
        }
        await createCollector(app, "chat", { dataType: "chatCompletions", friendlyName: "Chat", apiKeySecretName: "openai-project-key", startTime: new Date(NOW).toISOString(), pollIntervalSeconds: 300 });
        await app.advance(60 * 60_000);
        assertEveryIdOnce(app, CHAT_COMPLETIONS_STREAM, ids);
        const { status, lastError, cursor } = (await app.api("GET", "/api/collectors/chat")).body as ChatStatus;
        const size = sizes(app);
        console.log(`10/s steady (${name}): largest input ${size.input} B, largest generation ${size.generation} B; remembered ${String(cursor.rememberedIds)} by digest, ${String(cursor.rememberedInBuckets)} in buckets`);
        assert.deepEqual([status, lastError, cursor.lateCollected, cursor.lateRedelivered], ["running", null, 0, 0]);
        assert.ok(Number(cursor.rememberedInBuckets) > 0, "the memory was beyond its budget, so it used buckets");
        assert.ok(size.input < 16_384 && size.generation < 65_536, JSON.stringify(size));
        assert.deepEqual(await replayMismatches(app.host), []);
      } finally {
        await app.stop();
      }
    });
  }
});
