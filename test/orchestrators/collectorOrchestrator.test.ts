/**
 * The collector orchestrator replayed over fabricated host-shaped histories, asserting the whole
 * state the SDK returns (actions, custom status, continueAsNew input).
 */
import "../../src/local/installCore";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { registerFunctions } from "../../src/functions/register";
import { initialState, type CollectorControlView, type CollectorState } from "../../orchestrators/state";
import type { AuditSliceResult } from "../../activities/collectAuditSlice";
import { HistoryBuilder, runOrchestrator } from "./replayHelpers";
import { withDelivery } from "../../src/delivery/progress";
import { healthMarkOf, type HealthReport } from "../../orchestrators/health";

const settings = { parallelism: 2, maxPagesPerActivity: 5, chatPagesPerActivity: 5, lagSeconds: 60, overlapSeconds: 900 };
registerFunctions({ deps: () => { throw new Error("replay tests do no I/O"); }, settings: () => settings, declaredCollectors: () => [], openaiBaseUrl: "https://api.openai.com/v1", now: () => 0 });

const ORCH = "collectorOrchestrator";
const state = initialState("org", "2026-11-25T10:00:00Z"); // startTime 1795600800
const definition = { id: "org", dataType: "auditLogs" as const, friendlyName: "Org", apiKeySecretName: "admin-key", pollIntervalSeconds: 300, startTime: "2026-11-25T10:00:00Z", version: 1 };
const view = (desired: "running" | "stopped"): CollectorControlView => ({ definition, desired, settings });
const entityCall = { operation: "get", actionType: 7, instanceId: "@collector@org" };
// Ledger records reach back the late-window cap (max(2 × 900, 3,600) s) before the generation started.
// Each scheduling is named for crash-safe progress: generation 0, task i, at the orchestration time it was scheduled.
const sliceInput = (scope: string, gte: number, lt: number, task: number) => withDelivery({ collectorId: "org", connectorName: "Org", apiKeySecretName: "admin-key",
  scope, gte, lt, after: null, maxPages: 5, late: false, recordSince: 1_795_604_401 }, 0, task, Date.parse("2026-11-25T12:00:01Z"));
// Parallelism 2 is shared by the two scopes in turn: each starts its backlog.
const fanOut = { actionType: 12, compoundActions: [
  { functionName: "collectAuditSlice", actionType: 0, input: sliceInput("organization", 1_795_600_800, 1_795_604_400, 0) },
  { functionName: "collectAuditSlice", actionType: 0, input: sliceInput("tenant", 1_795_600_800, 1_795_604_400, 1) },
] };
const sliceDone = (rows: number, newest: number): AuditSliceResult => ({ outcome: { kind: "ok" }, done: true, after: null, pages: 1, rowsWritten: rows, duplicates: 0, newestEventAt: newest, unknownTypes: {}, refused: null });
const healthCall = (report: Record<string, unknown>) => ({ functionName: "writeConnectorHealth", actionType: 0, input: report });
const healthBase = { collectorId: "org", connectorName: "Org", dataType: "auditLogs", scope: "organization, tenant", definitionVersion: 1 };
const emptyStatus = { rowsIngested: 0, pages: 0, duplicatesSkipped: 0, lagSeconds: null, newestEventAt: null, lastSuccessAt: null, lastError: null, nextRunAt: null, cursor: { startTime: "2026-11-25T10:00:00.000Z" } };

function running(): HistoryBuilder {
  return new HistoryBuilder().started("2026-11-25T12:00:00Z").execution(ORCH, state, "2026-11-25T12:00:00Z")
    .entityCalled(0, "r1", "2026-11-25T12:00:00Z").started("2026-11-25T12:00:01Z").entityAnswered("r1", view("running"), "2026-11-25T12:00:01Z");
}

describe("collector orchestrator", () => {
  it("first reads its control record from the collector entity", async () => {
    const h = new HistoryBuilder().started("2026-11-25T12:00:00Z").execution(ORCH, state, "2026-11-25T12:00:00Z");
    assert.deepEqual(await runOrchestrator(ORCH, "collector-org", state, h.events), { isDone: false, actions: [[entityCall]], schemaVersion: 2 });
  });

  it("fans out one activity per time slice since the start, up to the parallelism, ending at now − lag", async () => {
    assert.deepEqual(await runOrchestrator(ORCH, "collector-org", state, running().events), {
      isDone: false, actions: [[entityCall, fanOut]], schemaVersion: 2, customStatus: { state: "running", definitionVersion: 1, ...emptyStatus },
    });
  });

  it("when caught up, waits the poll interval on a timer a wake event can cut short, then continues as new with the folded state", async () => {
    // A collector started 30 minutes ago: one slice per scope covers its backlog.
    const recent = initialState("org", "2026-11-25T11:30:00Z");
    const input = (scope: string, task: number) => sliceInput(scope, 1_795_606_200, 1_795_607_941, task);
    const both = { actionType: 12, compoundActions: [
      { functionName: "collectAuditSlice", actionType: 0, input: input("organization", 0) }, { functionName: "collectAuditSlice", actionType: 0, input: input("tenant", 1) }] };
    const h = new HistoryBuilder().started("2026-11-25T12:00:00Z").execution(ORCH, recent, "2026-11-25T12:00:00Z")
      .entityCalled(0, "r1", "2026-11-25T12:00:00Z").started("2026-11-25T12:00:01Z").entityAnswered("r1", view("running"), "2026-11-25T12:00:01Z")
      .scheduled(1, "collectAuditSlice", "2026-11-25T12:00:01Z").scheduled(2, "collectAuditSlice", "2026-11-25T12:00:01Z")
      .started("2026-11-25T12:00:03Z").completed(1, sliceDone(40, 1_795_607_000), "2026-11-25T12:00:03Z").completed(2, sliceDone(3, 1_795_606_900), "2026-11-25T12:00:03Z");
    // Organization: 40 rows over 1,741 s; 5 pages × 100 × 0.8 = 400 rows per slice wants 17,410 s, at most 8 × 3,600.
    // Tenant: 3 rows wants more than 8×, so 28,800 s.
    const scope = (sliceSeconds: number) => ({ origin: 1_795_606_200, watermark: 1_795_607_941, frontier: 1_795_607_941, inFlight: [], sliceSeconds, sweep: null, lateSweptAt: null, refused: null, lateSkipped: null });
    const scopeStatus = { state: "collecting", watermark: "2026-11-25T11:59:01.000Z", slicesInFlight: 0, lateSweep: null, lastLateSweepAt: null, lateSkipped: null };
    const waiting = {
      state: "running", definitionVersion: 1, rowsIngested: 43, pages: 2, duplicatesSkipped: 0, lagSeconds: 1_003, newestEventAt: "2026-11-25T11:43:20.000Z", lastSuccessAt: "2026-11-25T12:00:03.000Z", lastError: null,
      nextRunAt: "2026-11-25T12:05:03.000Z", cursor: { watermark: "2026-11-25T11:59:01.000Z", frontier: "2026-11-25T11:59:01.000Z", slicesInFlight: 0, sliceSeconds: 17_410 },
      audit: { scopes: { organization: scopeStatus, tenant: scopeStatus }, unknownEventTypes: [], otherUnknownEvents: 0 },
    };
    // One health row per generation, written by its activity before the wait: this generation's counts, not the totals'.
    const report = { ...healthBase, state: "running", at: "2026-11-25T12:00:03.000Z", rowsWritten: 43, pages: 2, duplicatesSkipped: 0, rowsIngestedTotal: 43, pagesTotal: 2, duplicatesSkippedTotal: 0,
      lagSeconds: 1_003, throttledResponses: 0, consecutiveFailures: 0, lastError: null, lastSuccessAt: "2026-11-25T12:00:03.000Z", nextRunAt: "2026-11-25T12:05:03.000Z", nextReportAt: "2026-11-25T12:30:03.000Z" };
    const health = healthCall(report);
    assert.deepEqual(await runOrchestrator(ORCH, "collector-org", recent, h.events), { isDone: false, actions: [[entityCall, both, health]], schemaVersion: 2, customStatus: waiting });

    h.scheduled(3, "writeConnectorHealth", "2026-11-25T12:00:03Z").started("2026-11-25T12:00:04Z").completed(3, { written: true }, "2026-11-25T12:00:04Z");
    const timer = { actionType: 5, fireAt: "2026-11-25T12:05:03.000Z", isCanceled: false };
    const wait = { actionType: 11, compoundActions: [timer, { actionType: 6, externalEventName: "wake", reason: "ExternalEvent" }] };
    assert.deepEqual(await runOrchestrator(ORCH, "collector-org", recent, h.events), { isDone: false, actions: [[entityCall, both, health, wait]], schemaVersion: 2, customStatus: waiting });

    h.timerCreated(4, "2026-11-25T12:05:03.000Z", "2026-11-25T12:00:04Z").started("2026-11-25T12:05:03Z").timerFired(4, "2026-11-25T12:05:03.000Z", "2026-11-25T12:05:03Z");
    const next: CollectorState = {
      ...recent,
      audit: { scopes: { organization: scope(17_410), tenant: scope(28_800) }, unknownTypes: [], otherUnknownEvents: 0 },
      stats: { rowsIngested: 43, pages: 2, duplicatesSkipped: 0, lastSuccessAt: "2026-11-25T12:00:03.000Z", newestEventAt: 1_795_607_000, lastError: null, failures: 0 },
      generation: 1,
      // The row written is carried, so the next generations write one only when it would show something new.
      health: healthMarkOf(report as HealthReport),
    };
    assert.deepEqual(await runOrchestrator(ORCH, "collector-org", recent, h.events), {
      isDone: true, actions: [[entityCall, both, health, wait, { actionType: 4, input: next }]], schemaVersion: 2, customStatus: waiting,
    });

    // The next generation is an idle poll: both scopes' late sweeps run in one activity call (one request each), and its row
    // would show what the last one did, so none is written before the wait.
    const idle = new HistoryBuilder().started("2026-11-25T12:05:03Z").execution(ORCH, next, "2026-11-25T12:05:03Z")
      .entityCalled(0, "r1", "2026-11-25T12:05:03Z").started("2026-11-25T12:05:04Z").entityAnswered("r1", view("running"), "2026-11-25T12:05:04Z");
    const sweep = (await runOrchestrator(ORCH, "collector-org", next, idle.events)).actions as Array<Array<{ compoundActions?: Array<{ functionName: string; input: { slices: Array<{ scope: string; late: boolean; gte: number; lt: number }> } }> }>>;
    const calls = sweep[0]![1]!.compoundActions!;
    // Each first sweep reads the late window, from the overlap (900 s) before now, to now − lag.
    assert.deepEqual(calls.map((c) => [c.functionName, c.input.slices.map((sl) => [sl.scope, sl.late, sl.gte, sl.lt])]),
      [["collectAuditSlices", [["organization", true, 1_795_607_404, 1_795_608_244], ["tenant", true, 1_795_607_404, 1_795_608_244]]]]);
    idle.scheduled(1, "collectAuditSlices", "2026-11-25T12:05:04Z").started("2026-11-25T12:05:05Z")
      .completed(1, [{ ...sliceDone(0, 1_795_607_000), pages: 1 }, { ...sliceDone(0, 1_795_606_900), pages: 1 }], "2026-11-25T12:05:05Z");
    const quiet = await runOrchestrator(ORCH, "collector-org", next, idle.events);
    const [, , idleWait] = (quiet.actions as unknown[][])[0]! as [unknown, unknown, { actionType: number; compoundActions: Array<{ fireAt?: string }> }];
    assert.deepEqual([(quiet.actions as unknown[][])[0]!.length, idleWait.actionType, idleWait.compoundActions[0]!.fireAt], [3, 11, "2026-11-25T12:10:05.000Z"]);
    assert.deepEqual((quiet.customStatus as { pages: number }).pages, 4);
  });

  it("backs off slowly and says unauthorized when the key is refused, keeping the delivered progress", async () => {
    const refused: AuditSliceResult = { outcome: { kind: "unauthorized", message: "HTTP 401: needs an organization admin API key" }, done: false, after: "a7", pages: 2, rowsWritten: 200, duplicates: 0, newestEventAt: 1_795_602_000, unknownTypes: {}, refused: null };
    const h = running().scheduled(1, "collectAuditSlice", "2026-11-25T12:00:01Z").scheduled(2, "collectAuditSlice", "2026-11-25T12:00:01Z")
      .started("2026-11-25T12:00:02Z").completed(1, refused, "2026-11-25T12:00:02Z").completed(2, refused, "2026-11-25T12:00:02Z")
      .scheduled(3, "writeConnectorHealth", "2026-11-25T12:00:02Z").started("2026-11-25T12:00:03Z").completed(3, { written: true }, "2026-11-25T12:00:03Z");
    const result = await runOrchestrator(ORCH, "collector-org", state, h.events);
    const [, , , wait] = (result.actions as unknown[][])[0] as [unknown, unknown, unknown, { compoundActions: Array<{ fireAt?: string }> }];
    assert.deepEqual([(result.customStatus as { state: string }).state, wait.compoundActions[0]!.fireAt, (result.customStatus as { lastError: unknown }).lastError, (result.customStatus as { cursor: unknown }).cursor],
      ["unauthorized", "2026-11-25T12:05:02.000Z", { at: "2026-11-25T12:00:02.000Z", kind: "unauthorized", message: "HTTP 401: needs an organization admin API key" },
        // The organization cut only the slice its one slot started (orchestrators/planAudit.ts planScopes), and it kept its progress.
        { watermark: "2026-11-25T10:00:00.000Z", frontier: "2026-11-25T11:00:00.000Z", slicesInFlight: 1, sliceSeconds: 3600 }]);
  });

  it("when the platform loses an activity, waits for the others, backs off, and runs the generation again with the same inputs", async () => {
    const lost = "Activity function 'collectAuditSlice' failed: node exited with code 137 (0x89)";
    const h = running().scheduled(1, "collectAuditSlice", "2026-11-25T12:00:01Z").scheduled(2, "collectAuditSlice", "2026-11-25T12:00:01Z")
      .started("2026-11-25T12:00:02Z").failed(1, lost, "2026-11-25T12:00:02Z");
    // The other slice still runs: nothing is scheduled (a retry must not run beside it) until it ends.
    assert.deepEqual(await runOrchestrator(ORCH, "collector-org", state, h.events), {
      isDone: false, actions: [[entityCall, fanOut]], schemaVersion: 2, customStatus: { state: "running", definitionVersion: 1, ...emptyStatus },
    });
    h.started("2026-11-25T12:00:03Z").completed(2, sliceDone(60, 1_795_607_000), "2026-11-25T12:00:03Z");
    // The slice that finished is recorded with its result, so its run in the retry returns it and sends nothing.
    const keep = await runOrchestrator(ORCH, "collector-org", state, h.events);
    const second = sliceInput("tenant", 1_795_600_800, 1_795_604_400, 1);
    const { outcome: _ok, ...finishedState } = sliceDone(60, 1_795_607_000);
    assert.deepEqual((keep.actions as unknown[][])[0]!.slice(2, 3), [{ operation: "record", actionType: 9, instanceId: "@deliveryprogress@org",
      input: { runId: "0.1", scheduledAt: second.delivery.scheduledAt, input: second.delivery.digest, state: finishedState } }]);
    h.scheduled(4, "writeConnectorHealth", "2026-11-25T12:00:03Z").started("2026-11-25T12:00:04Z").completed(4, { written: true }, "2026-11-25T12:00:04Z")
      .timerCreated(5, "2026-11-25T12:00:33.000Z", "2026-11-25T12:00:04Z").started("2026-11-25T12:00:33Z").timerFired(5, "2026-11-25T12:00:33.000Z", "2026-11-25T12:00:33Z");
    const result = await runOrchestrator(ORCH, "collector-org", state, h.events);
    const message = "a page activity was lost by the platform (Activity function 'collectAuditSlice' failed: node exited with code 137 (0x89)); the generation runs again and resumes from the recorded progress";
    // The state is kept (the completed slice's result is not folded: its call returns it again from its record), and the generation is to be retried as planned at 12:00:01.
    const retrying: CollectorState = {
      ...state, generation: 0, retry: { plannedAt: Date.parse("2026-11-25T12:00:01Z") },
      stats: { ...state.stats, lastError: { at: "2026-11-25T12:00:03.000Z", kind: "failed", message }, failures: 1 },
    };
    const actions = (result.actions as unknown[][])[0]!;
    // The backing-off row was written (its failure is news), and is carried.
    const written = healthMarkOf((actions[3] as { input: HealthReport }).input);
    assert.deepEqual([actions.length, actions[5], (result.customStatus as { state: string }).state], [6, { actionType: 4, input: { ...retrying, health: written } }, "backingOff"]);

    // The retry, 32 s later, schedules exactly the first inputs: same slices, same delivery refs.
    const retry = new HistoryBuilder().started("2026-11-25T12:00:33Z").execution(ORCH, { ...retrying, health: written }, "2026-11-25T12:00:33Z")
      .entityCalled(0, "r1", "2026-11-25T12:00:33Z").started("2026-11-25T12:00:34Z").entityAnswered("r1", view("running"), "2026-11-25T12:00:34Z");
    const again = await runOrchestrator(ORCH, "collector-org", { ...retrying, health: written }, retry.events);
    assert.deepEqual(again.actions, [[entityCall, fanOut]]);
  });

  it("when stopped, makes no request: it reports stopped and waits for a wake, then re-reads its record", async () => {
    const h = new HistoryBuilder().started("2026-11-25T12:00:00Z").execution(ORCH, state, "2026-11-25T12:00:00Z")
      .entityCalled(0, "r1", "2026-11-25T12:00:00Z").started("2026-11-25T12:00:01Z").entityAnswered("r1", view("stopped"), "2026-11-25T12:00:01Z");
    const stopped = { state: "stopped", definitionVersion: 1, ...emptyStatus };
    const waitWake = { actionType: 6, externalEventName: "wake", reason: "ExternalEvent" };
    const health = healthCall({ ...healthBase, state: "stopped", at: "2026-11-25T12:00:01.000Z", rowsWritten: 0, pages: 0, duplicatesSkipped: 0, rowsIngestedTotal: 0, pagesTotal: 0, duplicatesSkippedTotal: 0,
      lagSeconds: null, throttledResponses: 0, consecutiveFailures: 0, lastError: null, lastSuccessAt: null, nextRunAt: null, nextReportAt: null });
    assert.deepEqual(await runOrchestrator(ORCH, "collector-org", state, h.events), { isDone: false, actions: [[entityCall, health]], schemaVersion: 2, customStatus: stopped });
    // A failed health write changes nothing: the collector still waits for its wake.
    h.scheduled(1, "writeConnectorHealth", "2026-11-25T12:00:01Z").started("2026-11-25T12:00:02Z")
      .failed(1, "host lost the activity", "2026-11-25T12:00:02Z");
    assert.deepEqual(await runOrchestrator(ORCH, "collector-org", state, h.events), { isDone: false, actions: [[entityCall, health, waitWake]], schemaVersion: 2, customStatus: stopped });
    h.started("2026-11-25T13:00:00Z").raised("wake", null, "2026-11-25T13:00:00Z");
    assert.deepEqual(await runOrchestrator(ORCH, "collector-org", state, h.events), { isDone: true, actions: [[entityCall, health, waitWake, { actionType: 4, input: state }]], schemaVersion: 2, customStatus: stopped });
  });

  it("completes when its collector was deleted", async () => {
    const h = new HistoryBuilder().started("2026-11-25T12:00:00Z").execution(ORCH, state, "2026-11-25T12:00:00Z")
      .entityCalled(0, "r1", "2026-11-25T12:00:00Z").started("2026-11-25T12:00:01Z").entityAnswered("r1", null, "2026-11-25T12:00:01Z");
    assert.deepEqual(await runOrchestrator(ORCH, "collector-org", state, h.events), { isDone: true, actions: [[entityCall]], output: { deleted: "org" }, schemaVersion: 2, customStatus: { state: "deleted" } });
  });
});
