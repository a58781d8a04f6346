import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAX_UNKNOWN_TYPES, type ScopeCursor } from "../../orchestrators/auditState";
import { buildStatus, decideWait, foldStats } from "../../orchestrators/generation";
import { healthReport } from "../../orchestrators/health";
import { initialChatCursor } from "../../src/cursors/chatCursor";
import { initialState, type CollectorControl } from "../../orchestrators/state";
import type { Outcome } from "../../activities/outcome";

const ok: Outcome = { kind: "ok" };
const throttled = (ms: number): Outcome => ({ kind: "throttled", retryAfterMs: ms, message: "429" });
const failed: Outcome = { kind: "failed", retriable: true, message: "HTTP 503" };
const unauthorized: Outcome = { kind: "unauthorized", message: "HTTP 401" };

describe("decideWait", () => {
  const cases: Array<[string, Outcome[], boolean, number, { seconds: number; state: string }]> = [
    ["caught up: the poll interval", [ok, ok], true, 0, { seconds: 300, state: "running" }],
    ["backlog: no wait", [ok], false, 0, { seconds: 0, state: "running" }],
    ["throttled: the longest delay asked", [ok, throttled(1500), throttled(20_000)], false, 0, { seconds: 20, state: "backingOff" }],
    ["failed once: 30 s", [failed], false, 1, { seconds: 30, state: "backingOff" }],
    ["failed five times: 8 min", [failed], false, 5, { seconds: 480, state: "backingOff" }],
    ["failed many times: capped at 15 min", [failed], false, 12, { seconds: 900, state: "backingOff" }],
    ["unauthorized wins over everything: slow retry", [throttled(1000), unauthorized, failed], false, 3, { seconds: 300, state: "unauthorized" }],
  ];
  for (const [name, outcomes, caughtUp, failures, expected] of cases) it(name, () => assert.deepEqual(decideWait(outcomes, caughtUp, failures, 300), expected));
});

describe("foldStats and buildStatus", () => {
  it("adds counts, remembers the last error, resets the failure streak on success", () => {
    const s0 = initialState("c1", "2026-11-01T00:00:00Z").stats;
    const s1 = foldStats(s0, [{ outcome: ok, rowsWritten: 100, pages: 1, duplicates: 2, newestEventAt: 1000 }, { outcome: failed, rowsWritten: 50, pages: 1, duplicates: 0, newestEventAt: 900 }], "2026-11-25T00:00:00.000Z");
    assert.deepEqual(s1, { rowsIngested: 150, pages: 2, duplicatesSkipped: 2, lastSuccessAt: "2026-11-25T00:00:00.000Z", newestEventAt: 1000,
      lastError: { at: "2026-11-25T00:00:00.000Z", kind: "failed", message: "HTTP 503" }, failures: 1 });
    const s2 = foldStats(s1, [{ outcome: ok, rowsWritten: 0, pages: 1, duplicates: 0, newestEventAt: null }], "2026-11-25T00:05:00.000Z");
    assert.deepEqual([s2.failures, s2.lastError?.kind, s2.lastSuccessAt, s2.newestEventAt], [0, "failed", "2026-11-25T00:05:00.000Z", 1000]);
  });

  it("shows lag, next run and a cursor summary, well under 16 KB", () => {
    const state = { ...initialState("c1", "2026-11-01T00:00:00Z"), stats: { ...initialState("c1", "2026-11-01T00:00:00Z").stats, newestEventAt: 1_764_000_000, lastError: { at: "x", kind: "failed", message: "m".repeat(1000) } } };
    const control: CollectorControl = { definition: { id: "c1", dataType: "auditLogs", friendlyName: "n", apiKeySecretName: "s", pollIntervalSeconds: 300, startTime: "2026-11-01T00:00:00Z", version: 3 }, desired: "running" };
    const org: ScopeCursor = { origin: 0, watermark: 1_764_000_000, frontier: 1_764_000_060, inFlight: [], sliceSeconds: 3600, sweep: { startedAt: 1_764_000_090, from: 1_763_998_000, next: 1_764_000_000, end: 1_764_000_030 },
      lateSweptAt: 1_763_999_700, refused: null, lateSkipped: { seconds: 600, times: 1, lastFrom: 1_763_990_000, lastTo: 1_763_990_600 } };
    const tenant: ScopeCursor = { ...org, sweep: null, lateSkipped: null, refused: { status: 403, reason: "r".repeat(1000), since: 1_763_990_000, retryAt: 1_764_003_600 } };
    // The worst case for size: 20 unknown types with long names.
    const unknownTypes = Array.from({ length: MAX_UNKNOWN_TYPES }, (_, i) => ({ type: `tenant.${"x".repeat(100)}.${i}`, count: i + 1, firstSeen: "2025-11-24T16:00:00.000Z" }));
    const status = buildStatus({ ...state, audit: { scopes: { organization: org, tenant }, unknownTypes, otherUnknownEvents: 7 } }, control, "backingOff", 1_764_000_100_000, 1_764_000_130_000);
    const common = { watermark: "2025-11-24T16:00:00.000Z", slicesInFlight: 0, lastLateSweepAt: "2025-11-24T15:55:00.000Z" };
    assert.deepEqual({ ...status, lastError: null }, { state: "backingOff", definitionVersion: 3, rowsIngested: 0, pages: 0, duplicatesSkipped: 0, lagSeconds: 100, newestEventAt: "2025-11-24T16:00:00.000Z", lastSuccessAt: null, lastError: null,
      nextRunAt: "2025-11-24T16:02:10.000Z", cursor: { watermark: "2025-11-24T16:00:00.000Z", frontier: "2025-11-24T16:01:00.000Z", slicesInFlight: 0, sliceSeconds: 3600 },
      audit: {
        scopes: {
          organization: { state: "collecting", ...common, lateSweep: { from: "2025-11-24T15:26:40.000Z", to: "2025-11-24T16:00:30.000Z" },
            lateSkipped: { seconds: 600, times: 1, lastFrom: "2025-11-24T13:13:20.000Z", lastTo: "2025-11-24T13:23:20.000Z" } },
          tenant: { state: "unavailable", ...common, lateSweep: null, lateSkipped: null,
            unavailable: { status: 403, reason: "r".repeat(1000), since: "2025-11-24T13:13:20.000Z", retryAt: "2025-11-24T17:00:00.000Z" } },
        },
        unknownEventTypes: unknownTypes, otherUnknownEvents: 7,
      } });
    assert.ok(Buffer.byteLength(JSON.stringify(status), "utf16le") < 16_384);
  });

  it("never throws on a time no Date can hold: what cannot be shown is null", () => {
    const base = initialState("c1", "2026-11-01T00:00:00Z");
    const poisoned = { ...base, stats: { ...base.stats, newestEventAt: 9e12 }, chat: { ...initialChatCursor(base.startTime), newest: 9e12 } };
    const control: CollectorControl = { definition: { id: "c1", dataType: "chatCompletions", friendlyName: "n", apiKeySecretName: "s", pollIntervalSeconds: 300, startTime: "2026-11-01T00:00:00Z", version: 1 }, desired: "running" };
    const status = buildStatus(poisoned, control, "running", 1_764_000_000_000, 1e20);
    assert.deepEqual([status.lagSeconds, status.nextRunAt, status.cursor.newest, status.cursor.startTime], [0, null, null, "2026-11-01T00:00:00.000Z"]);
    const health = healthReport(base, poisoned, { ...control, settings: { parallelism: 1, maxPagesPerActivity: 1, chatPagesPerActivity: 1, lagSeconds: 60, overlapSeconds: 1_800 } }, "running", 1_764_000_000_000, 1e20, []);
    assert.deepEqual([health.lagSeconds, health.nextRunAt, health.at], [0, null, "2025-11-24T16:00:00.000Z"]);
  });
});
