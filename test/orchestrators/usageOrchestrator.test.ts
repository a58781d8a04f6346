/**
 * The collector orchestrator running a costs collector, replayed over fabricated host-shaped
 * histories: the whole state the SDK returns (actions, custom status, continueAsNew input).
 */
import "../../src/local/installCore";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { registerFunctions } from "../../src/functions/register";
import { initialState, type CollectorControlView, type CollectorState } from "../../orchestrators/state";
import type { UsageBucketsResult } from "../../activities/collectUsageBuckets";
import { healthMarkOf, type HealthReport } from "../../orchestrators/health";
import { HistoryBuilder, runOrchestrator } from "./replayHelpers";

const settings = { parallelism: 2, maxPagesPerActivity: 5, chatPagesPerActivity: 5, lagSeconds: 60, overlapSeconds: 900 };
registerFunctions({ deps: () => { throw new Error("replay tests do no I/O"); }, settings: () => settings, declaredCollectors: () => [], openaiBaseUrl: "https://api.openai.com/v1", now: () => 0 });

const ORCH = "collectorOrchestrator";
const DAY = 86_400;
const NOV22 = 1_795_305_600, NOV25 = NOV22 + 3 * DAY;
const state = initialState("org-costs", "2026-11-22T10:00:00Z");
const definition = { id: "org-costs", dataType: "costs" as const, friendlyName: "Costs", apiKeySecretName: "admin-key", pollIntervalSeconds: 300, startTime: "2026-11-22T10:00:00Z", version: 1 };
const view: CollectorControlView = { definition, desired: "running", settings };
const entityCall = { operation: "get", actionType: 7, instanceId: "@collector@org-costs" };
/** The one slice of the first generation planned at 2026-11-25T12:00:01Z: the settled days since the start day, digests kept for the last week. */
const firstSlice = { functionName: "collectUsageBuckets", actionType: 0, input: { collectorId: "org-costs", connectorName: "Costs", apiKeySecretName: "admin-key", dataType: "costs", series: "costs", bucketWidth: "1d", gte: NOV22, lt: NOV25, maxPages: 5, revision: false, rememberFrom: NOV25 - 7 * DAY } };

describe("collector orchestrator, costs", () => {
  it("reads the settled days since the start day in one slice, then re-reads them at once before it waits", async () => {
    const h = new HistoryBuilder().started("2026-11-25T12:00:00Z").execution(ORCH, state, "2026-11-25T12:00:00Z")
      .entityCalled(0, "r1", "2026-11-25T12:00:00Z").started("2026-11-25T12:00:01Z").entityAnswered("r1", view, "2026-11-25T12:00:01Z");
    // Costs settle an hour after the day ends: the newest settled day ends at 2026-11-25T00:00Z. Digests are kept for the days of the last week (the revision window).
    const slice = firstSlice;
    const first = await runOrchestrator(ORCH, "collector-org-costs", state, h.events);
    assert.deepEqual(first.actions, [[entityCall, { actionType: 12, compoundActions: [slice] }]]);

    const delivered: UsageBucketsResult = { outcome: { kind: "ok" }, done: true, doneUntil: NOV25, pages: 1, rowsWritten: 30, bucketsWritten: 3, bucketsUnchanged: 0, newestEventAt: NOV25, memory: { from: NOV22, digests: "aaaaaaaabbbbbbbbcccccccc" } };
    h.scheduled(1, "collectUsageBuckets", "2026-11-25T12:00:01Z").started("2026-11-25T12:00:02Z").completed(1, delivered, "2026-11-25T12:00:02Z")
      .scheduled(2, "writeConnectorHealth", "2026-11-25T12:00:02Z").started("2026-11-25T12:00:03Z").completed(2, { written: true }, "2026-11-25T12:00:03Z");
    const next: CollectorState = {
      ...state, generation: 1,
      usage: { bucketWidth: "1d", series: [{ series: "costs", origin: NOV22, watermark: NOV25, frontier: NOV25, inFlight: [], revision: null, revisedAt: null, memory: delivered.memory }] },
      stats: { rowsIngested: 30, pages: 1, duplicatesSkipped: 0, lastSuccessAt: "2026-11-25T12:00:02.000Z", newestEventAt: NOV25, lastError: null, failures: 0 },
    };
    const result = await runOrchestrator(ORCH, "collector-org-costs", state, h.events);
    const actions = (result.actions as unknown[][])[0]!;
    assert.deepEqual([result.isDone, actions.length, actions[3]], [true, 4, { actionType: 4, input: { ...next, health: healthMarkOf((actions[2] as { input: HealthReport }).input) } }]);
    assert.deepEqual(result.customStatus, {
      state: "running", definitionVersion: 1, rowsIngested: 30, pages: 1, duplicatesSkipped: 0, lagSeconds: 12 * 3_600 + 2, newestEventAt: new Date(NOV25 * 1000).toISOString(), lastSuccessAt: "2026-11-25T12:00:02.000Z", lastError: null, nextRunAt: null,
      cursor: { bucketWidth: "1d", series: ["costs"], watermark: "2026-11-25T00:00:00.000Z", slicesInFlight: 0, revising: 0 },
    });
  });

  it("when the platform loses its activity, keeps the cursor and plans the retry at the first planning time, even a day later", async () => {
    const h = new HistoryBuilder().started("2026-11-25T12:00:00Z").execution(ORCH, state, "2026-11-25T12:00:00Z")
      .entityCalled(0, "r1", "2026-11-25T12:00:00Z").started("2026-11-25T12:00:01Z").entityAnswered("r1", view, "2026-11-25T12:00:01Z")
      .scheduled(1, "collectUsageBuckets", "2026-11-25T12:00:01Z").started("2026-11-25T12:00:02Z")
      .failed(1, "Activity function 'collectUsageBuckets' failed: node exited with code 137 (0x89)", "2026-11-25T12:00:02Z")
      .scheduled(2, "writeConnectorHealth", "2026-11-25T12:00:02Z").started("2026-11-25T12:00:03Z").completed(2, { written: true }, "2026-11-25T12:00:03Z")
      .timerCreated(3, "2026-11-25T12:00:32.000Z", "2026-11-25T12:00:03Z").started("2026-11-25T12:00:32Z").timerFired(3, "2026-11-25T12:00:32.000Z", "2026-11-25T12:00:32Z");
    const failed = await runOrchestrator(ORCH, "collector-org-costs", state, h.events);
    const retrying = ((failed.actions as unknown[][])[0]!.find((a) => (a as { actionType: number }).actionType === 4) as { input: CollectorState } | undefined)?.input;
    assert.deepEqual([retrying?.usage, retrying?.generation, retrying?.retry], [undefined, 0, { plannedAt: Date.parse("2026-11-25T12:00:01Z") }]);
    // A day later another day has settled, yet the retry schedules exactly the lost call's input.
    const retry = new HistoryBuilder().started("2026-11-26T12:00:00Z").execution(ORCH, retrying, "2026-11-26T12:00:00Z")
      .entityCalled(0, "r1", "2026-11-26T12:00:00Z").started("2026-11-26T12:00:01Z").entityAnswered("r1", view, "2026-11-26T12:00:01Z");
    assert.deepEqual((await runOrchestrator(ORCH, "collector-org-costs", retrying!, retry.events)).actions, [[entityCall, { actionType: 12, compoundActions: [firstSlice] }]]);
  });
});
