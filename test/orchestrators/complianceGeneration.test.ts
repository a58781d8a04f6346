/**
 * The collector orchestrator running a compliance-logs generation, replayed over fabricated
 * host-shaped histories: the whole state the SDK returns (actions, status, continueAsNew input).
 */
import "../../src/local/installCore";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ComplianceStreamResult } from "../../activities/collectComplianceLogs";
import { registerFunctions } from "../../src/functions/register";
import { initialState, type CollectorControlView, type CollectorState } from "../../orchestrators/state";
import { healthMarkOf, type HealthReport } from "../../orchestrators/health";
import { HistoryBuilder, runOrchestrator } from "./replayHelpers";
import { resultRecord, withDelivery } from "../../src/delivery/progress";

const settings = { parallelism: 2, maxPagesPerActivity: 5, chatPagesPerActivity: 5, lagSeconds: 60, overlapSeconds: 900 };
registerFunctions({ deps: () => { throw new Error("replay tests do no I/O"); }, settings: () => settings, declaredCollectors: () => [], openaiBaseUrl: "https://api.openai.com/v1", now: () => 0 });

const ORCH = "collectorOrchestrator";
const WS = "be545252-ad04-4cfa-9ca5-deca58416151";
const state = initialState("chatgpt", "2026-11-25T10:00:00Z");
const compliance = { workspaceId: WS, eventTypes: ["AUTH_LOG", "AUDIT_LOG", "APP_LOG"], overlapSeconds: 600 };
const definition = { id: "chatgpt", dataType: "complianceLogs" as const, friendlyName: "ChatGPT", apiKeySecretName: "chatgpt-key", pollIntervalSeconds: 300, startTime: "2026-11-25T10:00:00Z", version: 1, compliance };
const view: CollectorControlView = { definition, desired: "running", settings };
const entityCall = { operation: "get", actionType: 7, instanceId: "@collector@chatgpt" };
const ORIGIN = "2026-11-25T10:00:00.000000Z";
const fresh = { after: ORIGIN, delivered: [], partial: null, seen: [] };
// Each call is named for crash-safe progress: generation 0, its index over all waves, the generation's planning time.
const input = (eventType: string, task: number) => withDelivery({ collectorId: "chatgpt", connectorName: "ChatGPT", apiKeySecretName: "chatgpt-key", stream: { eventType, scope: "workspace", scopeId: WS },
  cursor: fresh, origin: ORIGIN, overlapSeconds: 600, maxPages: 5, maxFiles: 25, userContentAllowed: false }, 0, task, Date.parse("2026-11-25T12:00:01Z"));
const call = (eventType: string, task: number) => ({ functionName: "collectComplianceLogs", actionType: 0, input: input(eventType, task) });
const wave1 = { actionType: 12, compoundActions: [call("AUTH_LOG", 0), call("AUDIT_LOG", 1)] };
const wave2 = { actionType: 12, compoundActions: [call("APP_LOG", 2)] };
const drained = (after: string, rows: number, newest: number): ComplianceStreamResult => ({ outcome: { kind: "ok" }, cursor: { ...fresh, after, delivered: [`${newest}:abc`] }, done: true, pages: 1, files: 1, rowsWritten: rows, duplicates: 1, relisted: 0, withheld: 0, newestEventAt: newest });

describe("collector orchestrator, compliance logs", () => {
  it("runs one activity per event type in waves of the parallelism, then folds their cursors into the next generation's state", async () => {
    const h = new HistoryBuilder().started("2026-11-25T12:00:00Z").execution(ORCH, state, "2026-11-25T12:00:00Z")
      .entityCalled(0, "r1", "2026-11-25T12:00:00Z").started("2026-11-25T12:00:01Z").entityAnswered("r1", view, "2026-11-25T12:00:01Z");
    const status = { state: "running", definitionVersion: 1, rowsIngested: 0, pages: 0, duplicatesSkipped: 0, lagSeconds: null, newestEventAt: null, lastSuccessAt: null, lastError: null, nextRunAt: null, cursor: { startTime: "2026-11-25T10:00:00.000Z" } };
    assert.deepEqual(await runOrchestrator(ORCH, "collector-chatgpt", state, h.events), { isDone: false, actions: [[entityCall, wave1]], schemaVersion: 2, customStatus: status });

    h.scheduled(1, "collectComplianceLogs", "2026-11-25T12:00:01Z").scheduled(2, "collectComplianceLogs", "2026-11-25T12:00:01Z").started("2026-11-25T12:00:05Z")
      .completed(1, drained("2026-11-25T11:50:00.000001Z", 40, 1_795_607_000), "2026-11-25T12:00:05Z").completed(2, drained("2026-11-25T11:40:00.000002Z", 10, 1_795_606_000), "2026-11-25T12:00:05Z");
    assert.deepEqual((await runOrchestrator(ORCH, "collector-chatgpt", state, h.events)).actions, [[entityCall, wave1, wave2]]);

    h.scheduled(3, "collectComplianceLogs", "2026-11-25T12:00:05Z").started("2026-11-25T12:00:06Z").completed(3, drained("2026-11-25T11:30:00.000003Z", 5, 1_795_605_000), "2026-11-25T12:00:06Z")
      .scheduled(4, "writeConnectorHealth", "2026-11-25T12:00:06Z").started("2026-11-25T12:00:07Z").completed(4, { written: true }, "2026-11-25T12:00:07Z")
      .timerCreated(5, "2026-11-25T12:05:06.000Z", "2026-11-25T12:00:07Z").started("2026-11-25T12:05:06Z").timerFired(5, "2026-11-25T12:05:06.000Z", "2026-11-25T12:05:06Z");
    const result = await runOrchestrator(ORCH, "collector-chatgpt", state, h.events);
    const stream = (after: string, newest: number) => ({ ...fresh, after, delivered: [`${newest}:abc`], scope: "workspace", scopeId: WS, caughtUp: true });
    const next: CollectorState = {
      ...state,
      compliance: { origin: ORIGIN, streams: { AUTH_LOG: stream("2026-11-25T11:50:00.000001Z", 1_795_607_000), AUDIT_LOG: stream("2026-11-25T11:40:00.000002Z", 1_795_606_000), APP_LOG: stream("2026-11-25T11:30:00.000003Z", 1_795_605_000) } } as CollectorState["compliance"],
      stats: { rowsIngested: 55, pages: 3, duplicatesSkipped: 3, lastSuccessAt: "2026-11-25T12:00:06.000Z", newestEventAt: 1_795_607_000, lastError: null, failures: 0 },
      // Generations run so far (names the page activities' delivery refs, orchestrators/taskFailure.ts).
      generation: 1,
    };
    const actions = (result.actions as unknown[][])[0]!;
    assert.deepEqual([result.isDone, actions.length, actions.at(-1), (result.customStatus as { cursor: unknown }).cursor], [true, 6, { actionType: 4, input: { ...next, health: healthMarkOf((actions.at(-3) as { input: HealthReport }).input) } }, {
      startTime: ORIGIN, streams: { AUTH_LOG: { after: "2026-11-25T11:50:00.000001Z", caughtUp: true, partialFile: false }, AUDIT_LOG: { after: "2026-11-25T11:40:00.000002Z", caughtUp: true, partialFile: false }, APP_LOG: { after: "2026-11-25T11:30:00.000003Z", caughtUp: true, partialFile: false } },
    }]);
    const health = actions[3] as { input: Record<string, unknown> };
    assert.deepEqual([health.input.dataType, health.input.scope, health.input.rowsWritten, health.input.duplicatesSkipped, health.input.nextRunAt], ["complianceLogs", "workspace", 55, 3, "2026-11-25T12:05:06.000Z"]);
  });

  it("when the platform loses a call of the second wave, records the first wave's results too, so their runs in the retry send nothing", async () => {
    const h = new HistoryBuilder().started("2026-11-25T12:00:00Z").execution(ORCH, state, "2026-11-25T12:00:00Z")
      .entityCalled(0, "r1", "2026-11-25T12:00:00Z").started("2026-11-25T12:00:01Z").entityAnswered("r1", view, "2026-11-25T12:00:01Z")
      .scheduled(1, "collectComplianceLogs", "2026-11-25T12:00:01Z").scheduled(2, "collectComplianceLogs", "2026-11-25T12:00:01Z").started("2026-11-25T12:00:05Z")
      .completed(1, drained("2026-11-25T11:50:00.000001Z", 40, 1_795_607_000), "2026-11-25T12:00:05Z").completed(2, drained("2026-11-25T11:40:00.000002Z", 10, 1_795_606_000), "2026-11-25T12:00:05Z")
      .scheduled(3, "collectComplianceLogs", "2026-11-25T12:00:05Z").started("2026-11-25T12:00:06Z").failed(3, "node exited with code 137 (0x89)", "2026-11-25T12:00:06Z");
    const actions = (await runOrchestrator(ORCH, "collector-chatgpt", state, h.events)).actions as unknown[][];
    const record = (eventType: string, task: number, result: ComplianceStreamResult) => ({ operation: "record", actionType: 9, instanceId: "@deliveryprogress@chatgpt", input: resultRecord(input(eventType, task), result) });
    assert.deepEqual(actions[0]!.slice(3, 5), [record("AUTH_LOG", 0, drained("2026-11-25T11:50:00.000001Z", 40, 1_795_607_000)), record("AUDIT_LOG", 1, drained("2026-11-25T11:40:00.000002Z", 10, 1_795_606_000))]);
  });
});
