/**
 * Stored completions that become listable minutes after their `created` (issue 16, part 1): the
 * issue's measurement reproduced on the real durable host, with and without the late horizon, and
 * a busy project whose late memory outgrows its budget: nothing lost, duplicates bounded and counted.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CHAT_COMPLETIONS_STREAM } from "../../src/config";
import { generateCompletions, seededRandom } from "../../src/local/fakes/generate";
import { replayMismatches, SCENARIO_SETTINGS, startLocalApp, type LocalApp } from "../fakes/localApp";
import { arrivals, assertEveryIdOnce, createCollector } from "./helpers";

const NOW = Date.parse("2026-11-25T00:00:00Z");
const T = NOW / 1000;

/** Adds `perMinute × minutes` completions; `lateShare` of them listable 30 s – 10 min after `created`, the rest 1 s after. */
function arriving(app: LocalApp, minutes: number, perMinute: number, lateShare: number, seed: number): { ids: string[]; late: number } {
  const random = seededRandom(seed);
  const ids: string[] = [];
  let late = 0;
  for (let minute = 0; minute < minutes; minute++) {
    for (const c of generateCompletions(perMinute, T + minute * 60, T + minute * 60 + 60, seed * 1_000 + minute)) {
      const isLate = random() < lateShare;
      if (isLate) late++;
      app.stack.openai.addCompletions([c], (c.created + (isLate ? 30 + random() * 570 : 1)) * 1000);
      ids.push(c.id);
    }
  }
  return { ids, late };
}

async function collect(horizon: number, minutes: number, perMinute: number, poll: number, seed: number) {
  const app = await startLocalApp(NOW, {}, { ...SCENARIO_SETTINGS, chatLateHorizonSeconds: horizon });
  const { ids, late } = arriving(app, minutes, perMinute, 0.3, seed);
  await createCollector(app, "chat", { dataType: "chatCompletions", friendlyName: "Chat", apiKeySecretName: "openai-project-key", startTime: new Date(NOW).toISOString(), pollIntervalSeconds: poll });
  await app.advance((minutes + 20) * 60_000);
  const got = arrivals(app, CHAT_COMPLETIONS_STREAM);
  const status = (await app.api("GET", "/api/collectors/chat")).body as { status: string; lastError: unknown; cursor: Record<string, number> };
  const inputs = app.host.episodes.filter((e) => e.instanceId === "collector-chat").map((e) => Buffer.byteLength(JSON.stringify(e.input)));
  return { app, ids, late, lost: ids.filter((id) => !got.has(id)).length, status, maxInputBytes: Math.max(...inputs), maxGenerationBytes: app.host.stats.maxGenerationBytes, requests: app.stack.openai.served };
}

describe("stored completions listable late", () => {
  it("2 h of 5-minute polls, 60 completions a poll, 30 % listable 30 s – 10 min late: none lost with the 30-minute horizon, most lost without", async () => {
    const withHorizon = await collect(1_800, 120, 12, 300, 16);
    try {
      assertEveryIdOnce(withHorizon.app, CHAT_COMPLETIONS_STREAM, withHorizon.ids);
      const c = withHorizon.status.cursor;
      assert.deepEqual([withHorizon.status.status, withHorizon.status.lastError, c.lateRedelivered, c.lateHorizonSeconds], ["running", null, 0, 1_800]);
      // Late ones caught by the re-read: most late completions (the rest were listable before a pass reached them).
      assert.ok(c.lateCollected! > withHorizon.late / 2 && c.lateMaxDelaySeconds! <= 900, JSON.stringify(c));
      assert.deepEqual(await replayMismatches(withHorizon.app.host), []);
    } finally {
      await withHorizon.app.stop();
    }
    const without = await collect(0, 120, 12, 300, 16);
    await without.app.stop();
    console.log(`late completions: ${withHorizon.late} of ${withHorizon.ids.length}; lost with a 30-minute horizon: ${withHorizon.lost}, without one: ${without.lost}`);
    assert.ok(without.lost > withHorizon.late / 3, `only ${without.lost} lost without a horizon`);
  });

  it("a busy project (5 completions/s, 30 % late): none lost, duplicates only where the memory had to keep buckets and no more than it counts, input under 16 KB, a generation under 64 KB", async () => {
    const busy = await collect(1_800, 40, 300, 60, 17);
    try {
      const got = arrivals(busy.app, CHAT_COMPLETIONS_STREAM);
      const duplicates = [...got.values()].reduce((n, k) => n + k - 1, 0);
      const c = busy.status.cursor;
      console.log(`busy: ${busy.ids.length} completions, ${busy.late} late, ${busy.lost} lost, ${duplicates} duplicate rows (${c.lateRedelivered} redelivered from buckets), ${c.lateCollected} late told apart; ${busy.requests} OpenAI requests; largest input ${busy.maxInputBytes} B, largest generation ${busy.maxGenerationBytes} B`);
      assert.ok(busy.maxInputBytes < 16_384 && busy.maxGenerationBytes < 65_536, `input ${busy.maxInputBytes} B, generation ${busy.maxGenerationBytes} B`);
      assert.deepEqual([busy.lost, got.size, busy.status.status, busy.status.lastError], [0, busy.ids.length, "running", null]);
      assert.ok(duplicates <= c.lateRedelivered!, `${duplicates} duplicates, ${c.lateRedelivered} counted`);
    } finally {
      await busy.app.stop();
    }
  });
});
