/**
 * When a collector writes a health row (orchestrators/health.ts): on anything the row shows that
 * changes, on rows written or throttling, on a stop, and otherwise once per heartbeat; the counts
 * of generations that wrote none arrive in the next row.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { parse as loadYaml } from "yaml";
import { HEALTH_HEARTBEAT_SECONDS, healthMarkOf, healthReport, healthRowDue, LAG_ALERT_SECONDS, sinceLastRow, type HealthReport } from "../../orchestrators/health";
import { initialState, type CollectorControlView, type CollectorState } from "../../orchestrators/state";

const settings = { parallelism: 2, maxPagesPerActivity: 5, chatPagesPerActivity: 5, lagSeconds: 60, overlapSeconds: 900 };
const view: CollectorControlView = { desired: "running", settings, definition: { id: "org", dataType: "auditLogs", friendlyName: "Org", apiKeySecretName: "k", pollIntervalSeconds: 300, startTime: "2026-11-25T10:00:00Z", version: 1 } };
const T0 = Date.parse("2026-11-25T12:00:00Z");
const base = initialState("org", "2026-11-25T10:00:00Z");
const caughtUp: CollectorState = { ...base, stats: { ...base.stats, rowsIngested: 500, pages: 9, duplicatesSkipped: 2, lastSuccessAt: "2026-11-25T12:00:00.000Z", newestEventAt: T0 / 1000 - 600 } };
/** An idle generation ending `minutes` after T0: one empty page read, nothing written. */
const idle = (from: CollectorState, minutes: number, patch: Partial<CollectorState["stats"]> = {}): { next: CollectorState; report: HealthReport } => {
  const at = T0 + minutes * 60_000;
  const next = { ...from, stats: { ...from.stats, pages: from.stats.pages + 1, lastSuccessAt: new Date(at).toISOString(), ...patch } };
  return { next, report: healthReport(sinceLastRow(from), next, view, "running", at, at + 300_000, [{ kind: "ok" }]) };
};

describe("health row cadence", () => {
  const written = { ...caughtUp, health: healthMarkOf(healthReport(caughtUp, caughtUp, view, "running", T0, T0 + 300_000, [{ kind: "ok" }])) };

  it("an unchanged idle collector writes no row until the heartbeat is due, then one that counts every generation since the last", () => {
    let state: CollectorState = written;
    const due: boolean[] = [];
    let report: HealthReport | undefined;
    for (let minutes = 5; minutes <= HEALTH_HEARTBEAT_SECONDS / 60; minutes += 5) {
      ({ next: state, report } = idle(state, minutes));
      due.push(healthRowDue(report, written.health));
    }
    assert.deepEqual(due, [false, false, false, false, false, true]);
    assert.deepEqual([report!.pages, report!.rowsWritten, report!.duplicatesSkipped, report!.nextReportAt], [6, 0, 0, "2026-11-25T13:00:00.000Z"]);
  });

  it("writes at once when rows are written, an activity was throttled, it stops, or no row is known", () => {
    const rows = idle(written, 5, { rowsIngested: 501 }).report;
    const throttled = healthReport(sinceLastRow(written), written, view, "backingOff", T0 + 300_000, T0 + 330_000, [{ kind: "throttled", retryAfterMs: 30_000, message: "HTTP 429" }]);
    const stopped = healthReport(sinceLastRow(written), written, view, "stopped", T0 + 300_000, null, []);
    const quiet = idle(written, 5).report;
    assert.deepEqual([rows, throttled, stopped].map((r) => healthRowDue(r, written.health)).concat(healthRowDue(quiet, undefined), healthRowDue(quiet, written.health)), [true, true, true, true, false]);
    assert.equal(rows.rowsWritten, 1);
  });

  it("writes one row for a stop: a stop call on a collector already stopped (nothing changed) writes none", () => {
    const stopped = healthReport(sinceLastRow(written), written, view, "stopped", T0 + 300_000, null, []);
    const stoppedMark = { ...written, health: healthMarkOf(stopped) };
    const again = healthReport(sinceLastRow(stoppedMark), stoppedMark, view, "stopped", T0 + 360_000, null, []);
    const renamed = healthReport(sinceLastRow(stoppedMark), stoppedMark, { ...view, definition: { ...view.definition, friendlyName: "Org 2", version: 2 } }, "stopped", T0 + 420_000, null, []);
    assert.deepEqual([healthRowDue(stopped, written.health), healthRowDue(again, stoppedMark.health), healthRowDue(renamed, stoppedMark.health)], [true, false, true]);
  });

  it("writes at once when what the row shows changes: a failure, the state, the definition, the lag passing an alert threshold", () => {
    const failed = idle(written, 5, { failures: 1, lastError: { at: "2026-11-25T12:05:00.000Z", kind: "failed", message: "HTTP 500" } }).report;
    const renamed = { ...idle(written, 5).report, connectorName: "Org (renamed)", definitionVersion: 2 };
    // The newest event was 10 minutes old at T0: at 55 minutes the lag passes an hour.
    const lagging = idle(written, 55).report;
    const notYet = idle(written, 45).report;
    // A heartbeat 20 minutes before: only the lag band tells the two late reports apart.
    const recent = { ...written.health, at: T0 + 40 * 60_000 };
    assert.deepEqual([failed, renamed].map((r) => healthRowDue(r, written.health)).concat([lagging, notYet].map((r) => healthRowDue(r, recent))), [true, true, true, false]);
    assert.deepEqual([notYet.lagSeconds! < 3_600, lagging.lagSeconds! > 3_600], [true, true]);
  });

  it("alerts at the lags the collector-health rule alerts at", () => {
    const rule = loadYaml(fs.readFileSync(path.join(__dirname, "../../../content/AnalyticRules/OpenAICollectorUnhealthy.yaml"), "utf8")) as { query: string };
    const [, settled, other] = /LagThresholdSeconds = iff\(DataType in \(SettledBucketTypes\), (\d+), (\d+)\)/.exec(rule.query)!;
    assert.deepEqual([...LAG_ALERT_SECONDS].sort((a, b) => a - b), [Number(other), Number(settled)].sort((a, b) => a - b));
  });
});
