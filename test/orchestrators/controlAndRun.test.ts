/**
 * The collector orchestrator when its entity `get` fails, and when the entity names another run
 * than its cursor's: replayed over host-shaped histories, asserting the whole state the SDK returns.
 */
import "../../src/local/installCore";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EventType, historyEvent } from "../../src/local/durable/history";
import { registerFunctions } from "../../src/functions/register";
import { initialState, type CollectorControlView, type CollectorState } from "../../orchestrators/state";
import { HistoryBuilder, runOrchestrator } from "./replayHelpers";
import { withDelivery } from "../../src/delivery/progress";

const settings = { parallelism: 1, maxPagesPerActivity: 5, chatPagesPerActivity: 5, lagSeconds: 60, overlapSeconds: 900 };
registerFunctions({ deps: () => { throw new Error("replay tests do no I/O"); }, settings: () => settings, declaredCollectors: () => [], openaiBaseUrl: "https://api.openai.com/v1", now: () => 0 });

const ORCH = "collectorOrchestrator";
const entityCall = { operation: "get", actionType: 7, instanceId: "@collector@org" };

/** The entity's answer to a `get` whose operation threw (what the extension sends: a result and an exceptionType). */
function entityFailed(h: HistoryBuilder, requestId: string, message: string, at: string): HistoryBuilder {
  h.events.push(historyEvent(EventType.EventRaised, Date.parse(at), { Name: requestId, Input: JSON.stringify({ result: JSON.stringify(message), exceptionType: "ConfigError" }) }));
  return h;
}

describe("collector orchestrator, entity get failing", () => {
  it("records the failure, backs off on a timer a wake cuts short, and continues as new with the cursor unchanged: never Failed", async () => {
    const state: CollectorState = { ...initialState("org", "2026-11-25T10:00:00Z"), stats: { ...initialState("org", "2026-11-25T10:00:00Z").stats, rowsIngested: 7, newestEventAt: 1_795_607_000, failures: 1 } };
    const h = entityFailed(new HistoryBuilder().started("2026-11-25T12:00:00Z").execution(ORCH, state, "2026-11-25T12:00:00Z")
      .entityCalled(0, "r1", "2026-11-25T12:00:00Z").started("2026-11-25T12:00:01Z"), "r1", "Setting FETCH_PARALLELISM must be a whole number from 1 to 32, got \"99\"", "2026-11-25T12:00:01Z");
    const lastError = { at: "2026-11-25T12:00:01.000Z", kind: "failed", message: "reading the collector's definition from its entity failed (Setting FETCH_PARALLELISM must be a whole number from 1 to 32, got \"99\"); retrying with the cursor unchanged" };
    // The second failure in a row: 30 s × 2.
    const status = { state: "backingOff", definitionVersion: null, rowsIngested: 7, pages: 0, duplicatesSkipped: 0, lagSeconds: 1_001, newestEventAt: "2026-11-25T11:43:20.000Z",
      lastSuccessAt: null, lastError, nextRunAt: "2026-11-25T12:01:01.000Z", cursor: { startTime: "2026-11-25T10:00:00.000Z" } };
    const wait = { actionType: 11, compoundActions: [{ actionType: 5, fireAt: "2026-11-25T12:01:01.000Z", isCanceled: false }, { actionType: 6, externalEventName: "wake", reason: "ExternalEvent" }] };
    assert.deepEqual(await runOrchestrator(ORCH, "collector-org", state, h.events), { isDone: false, actions: [[entityCall, wait]], schemaVersion: 2, customStatus: status });

    h.timerCreated(1, "2026-11-25T12:01:01.000Z", "2026-11-25T12:00:01Z").started("2026-11-25T12:01:01Z").timerFired(1, "2026-11-25T12:01:01.000Z", "2026-11-25T12:01:01Z");
    const next = { ...state, stats: { ...state.stats, failures: 2, lastError } };
    assert.deepEqual(await runOrchestrator(ORCH, "collector-org", state, h.events), { isDone: true, actions: [[entityCall, wait, { actionType: 4, input: next }]], schemaVersion: 2, customStatus: status });
  });
});

describe("collector orchestrator, runs", () => {
  const definition = { id: "org", dataType: "auditLogs" as const, friendlyName: "Org", apiKeySecretName: "admin-key", pollIntervalSeconds: 300, startTime: "2026-11-25T10:30:00Z", version: 3, run: { id: "run-b", startTime: "2026-11-25T11:00:00Z" } };
  const view: CollectorControlView = { definition, desired: "running", settings };
  // From 11:00 (1795604400) to now − lag: one organization slice (parallelism 1 is shared by the two scopes in turn; ledger records reach back max(2 × 900, 3,600) s).
  const fromEleven = { actionType: 12, compoundActions: [{ functionName: "collectAuditSlice", actionType: 0,
    input: withDelivery({ collectorId: "org", connectorName: "Org", apiKeySecretName: "admin-key", scope: "organization", gte: 1_795_604_400, lt: 1_795_607_941, after: null, maxPages: 5, late: false, recordSince: 1_795_604_401 }, 0, 0, Date.parse("2026-11-25T12:00:01Z")) }] };
  const firstGeneration = (state: CollectorState) => new HistoryBuilder().started("2026-11-25T12:00:00Z").execution(ORCH, state, "2026-11-25T12:00:00Z")
    .entityCalled(0, "r1", "2026-11-25T12:00:00Z").started("2026-11-25T12:00:01Z").entityAnswered("r1", view, "2026-11-25T12:00:01Z");

  it("drops a cursor of another run and collects from that run's start (not the definition's later-changed startTime), counters at 0", async () => {
    // An instance started by a concurrent reset to 09:00 whose entity operation the entity applied first: the entity names run-b, from 11:00
    // (and a modify changed the definition's startTime to 10:30 since, which moves no cursor).
    const other: CollectorState = { ...initialState("org", "2026-11-25T09:00:00Z", "run-a"), stats: { ...initialState("org", "2026-11-25T09:00:00Z").stats, rowsIngested: 500 } };
    const result = await runOrchestrator(ORCH, "collector-org", other, firstGeneration(other).events);
    assert.deepEqual([result.actions, (result.customStatus as { rowsIngested: number }).rowsIngested], [[[entityCall, fromEleven]], 0]);
  });

  it("keeps a cursor of the entity's run, and one saved before run ids existed", async () => {
    const same = initialState("org", "2026-11-25T10:00:00Z", "run-b");
    const legacy = initialState("org", "2026-11-25T10:00:00Z");
    // From 10:00: the first hour-wide slice (parallelism 1).
    const fromTen = { actionType: 12, compoundActions: [{ functionName: "collectAuditSlice", actionType: 0,
      input: withDelivery({ collectorId: "org", connectorName: "Org", apiKeySecretName: "admin-key", scope: "organization", gte: 1_795_600_800, lt: 1_795_604_400, after: null, maxPages: 5, late: false, recordSince: 1_795_604_401 }, 0, 0, Date.parse("2026-11-25T12:00:01Z")) }] };
    assert.deepEqual((await runOrchestrator(ORCH, "collector-org", same, firstGeneration(same).events)).actions, [[entityCall, fromTen]]);
    const { run: _, ...legacyDefinition } = definition;
    const legacyView = { ...view, definition: legacyDefinition };
    const h = new HistoryBuilder().started("2026-11-25T12:00:00Z").execution(ORCH, legacy, "2026-11-25T12:00:00Z")
      .entityCalled(0, "r1", "2026-11-25T12:00:00Z").started("2026-11-25T12:00:01Z").entityAnswered("r1", legacyView, "2026-11-25T12:00:01Z");
    assert.deepEqual((await runOrchestrator(ORCH, "collector-org", legacy, h.events)).actions, [[entityCall, fromTen]]);
  });
});
