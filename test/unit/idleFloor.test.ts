/**
 * The idle-floor benchmark's choice of episodes (scripts/bench/idleFloor.ts): the last whole
 * generation of one instance, and on the real orchestrator that is the four episodes of one idle
 * poll, which replay to the same actions the host saw.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { InvocationContext } from "@azure/functions";
import { COLLECTOR_ORCHESTRATOR } from "../../orchestrators/names";
import { lastWholeGeneration } from "../../scripts/bench/idleFloor";
import { EventType, historyEvent } from "../../src/local/durable/history";
import type { Episode } from "../../src/local/durable/records";
import { orchestratorTrigger } from "../../src/local/durable/triggerPayload";
import { registeredFunction } from "../../src/local/functionsCore";
import { startLocalApp, type LocalApp } from "../fakes/localApp";
import { createCollector } from "../scenarios/helpers";

const played = (type: number, isPlayed: boolean) => ({ ...historyEvent(type, 0), IsPlayed: isPlayed });
/** An episode of `instanceId` replaying `replayed` events and delivering one. */
const episode = (instanceId: string, replayed: number, tag: string): Episode => ({
  name: "collectorOrchestrator", instanceId, input: { tag }, actions: [],
  history: [...Array.from({ length: replayed }, () => played(EventType.TaskCompleted, true)), played(EventType.OrchestratorStarted, false), played(replayed === 0 ? EventType.ExecutionStarted : EventType.TimerFired, false)],
});

describe("lastWholeGeneration", () => {
  it("takes one instance's episodes from the second-last generation start up to the last", () => {
    const episodes = [
      episode("a", 0, "g0"), episode("a", 2, "g0"), episode("b", 0, "other"), episode("a", 4, "g0"),
      episode("a", 0, "g1"), episode("b", 2, "other"), episode("a", 2, "g1"), episode("a", 4, "g1"),
      episode("a", 0, "g2"),
    ];
    assert.deepEqual(lastWholeGeneration(episodes, "a"), [episodes[4], episodes[6], episodes[7]]);
  });

  it("throws when fewer than two generation starts were recorded", () => {
    assert.throws(() => lastWholeGeneration([episode("a", 0, "g0"), episode("a", 2, "g0")], "a"), /need two whole generations of a, recorded 1/);
  });
});

describe("lastWholeGeneration on the collector orchestrator", () => {
  const NOW = Date.parse("2026-11-01T00:00:00Z");
  let app: LocalApp;
  before(async () => { app = await startLocalApp(NOW, {}, undefined, { recordEpisodes: true }); });
  after(async () => { await app.stop(); });

  it("is the four episodes of an idle poll, and each replays to the actions the host recorded", async () => {
    await createCollector(app, "idle-chat", { dataType: "chatCompletions", friendlyName: "Idle", apiKeySecretName: "openai-project-key", startTime: new Date(NOW).toISOString(), pollIntervalSeconds: 300 });
    await app.advance(4 * 300_000);
    const instanceId = app.host.episodes.find((e) => e.name === COLLECTOR_ORCHESTRATOR)!.instanceId;
    const generation = lastWholeGeneration(app.host.episodes, instanceId);
    // What each episode was handed: the new events after the replayed ones.
    const delivered = generation.map((e) => e.history.filter((h) => h.IsPlayed !== true).map((h) => h.EventType));
    assert.deepEqual(delivered, [
      [EventType.OrchestratorStarted, EventType.ExecutionStarted],
      [EventType.OrchestratorStarted, EventType.EventRaised],
      [EventType.OrchestratorStarted, EventType.TaskCompleted],
      [EventType.OrchestratorStarted, EventType.TimerFired],
    ]);
    for (const e of generation) {
      const fn = registeredFunction(e.name);
      const trigger = orchestratorTrigger(e.history, e.history.filter((h) => h.IsPlayed === true).length, JSON.stringify(e.input), e.instanceId);
      const state = (await fn.handler(trigger, new InvocationContext({ functionName: fn.name, invocationId: "t" }))) as { actions: unknown };
      assert.deepEqual(JSON.parse(JSON.stringify(state.actions)), e.actions);
    }
  });
});
