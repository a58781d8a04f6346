/**
 * The health row: computed from the states around a generation, mapped to the table's columns, and
 * written through the real Sentinel writer to the local Logs Ingestion endpoint; a failure to
 * write it is reported, never thrown.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { writeConnectorHealth } from "../../activities/writeConnectorHealth";
import { deletedHealthReport, healthReport, type HealthReport } from "../../orchestrators/health";
import type { AuditState, ScopeCursor } from "../../orchestrators/auditState";
import { initialState, type CollectorControlView, type CollectorState } from "../../orchestrators/state";
import { CONNECTOR_HEALTH_STREAM } from "../../src/config";
import { toConnectorHealthRow } from "../../src/health/connectorHealthRow";
import { AUDIT_LOGS_TABLE, CHAT_COMPLETIONS_TABLE, checkRow, CONNECTOR_HEALTH_TABLE, TABLES } from "../../src/schema/tables";
import { SentinelWriter } from "../../src/sentinel/writer";
import { LogsIngestionFake } from "../../src/local/fakes/logsIngestionFake";
import { testTls, type TestTls } from "../../src/local/fakes/tls";
import { AZURE_TOKEN, DCR_ID, staticCredential } from "../fakes/stack";

const settings = { parallelism: 2, maxPagesPerActivity: 5, chatPagesPerActivity: 5, lagSeconds: 60, overlapSeconds: 900 };
const view = (dataType: "auditLogs" | "chatCompletions"): CollectorControlView => ({
  desired: "running", settings,
  definition: { id: "org-audit", dataType, friendlyName: "Org audit", apiKeySecretName: "openai-admin-key", pollIntervalSeconds: 300, startTime: "2026-11-25T10:00:00Z", version: 3 },
});
const before_ = initialState("org-audit", "2026-11-25T10:00:00Z");
const before1: CollectorState = { ...before_, stats: { ...before_.stats, rowsIngested: 1_000, pages: 10, duplicatesSkipped: 4 } };
const after1: CollectorState = {
  ...before1,
  stats: { rowsIngested: 1_250, pages: 13, duplicatesSkipped: 5, lastSuccessAt: "2026-11-25T12:00:02.000Z", newestEventAt: 1_795_607_000, failures: 1,
    lastError: { at: "2026-11-25T12:00:02.000Z", kind: "throttled", message: "HTTP 429: slow down" } },
};
const NOW = Date.parse("2026-11-25T12:00:03Z");

describe("health report of a generation", () => {
  it("counts this generation's rows, pages and duplicates, and its throttled activities", () => {
    const report = healthReport(before1, after1, view("auditLogs"), "backingOff", NOW, NOW + 30_000,
      [{ kind: "ok" }, { kind: "throttled", retryAfterMs: 30_000, message: "HTTP 429: slow down" }, { kind: "throttled", retryAfterMs: 1_000, message: "HTTP 429" }]);
    assert.deepEqual(report, {
      collectorId: "org-audit", connectorName: "Org audit", dataType: "auditLogs", scope: "organization, tenant", state: "backingOff", at: "2026-11-25T12:00:03.000Z",
      rowsWritten: 250, pages: 3, duplicatesSkipped: 1, rowsIngestedTotal: 1_250, pagesTotal: 13, duplicatesSkippedTotal: 5, lagSeconds: 1_003, throttledResponses: 2, consecutiveFailures: 1,
      lastError: { at: "2026-11-25T12:00:02.000Z", kind: "throttled", message: "HTTP 429: slow down" }, lastSuccessAt: "2026-11-25T12:00:02.000Z",
      nextRunAt: "2026-11-25T12:00:33.000Z", nextReportAt: "2026-11-25T12:30:03.000Z", definitionVersion: 3,
    });
  });

  it("promises the next row by the next run when that is later than the heartbeat", () => {
    const report = healthReport(before1, after1, view("auditLogs"), "unauthorized", NOW, NOW + 3_600_000, [{ kind: "unauthorized", message: "HTTP 401" }]);
    assert.deepEqual([report.nextRunAt, report.nextReportAt], ["2026-11-25T13:00:03.000Z", "2026-11-25T13:00:03.000Z"]);
  });

  it("has no scope for chat completions and no lag before the first event", () => {
    const report = healthReport(before_, before_, view("chatCompletions"), "running", NOW, null, [{ kind: "ok" }]);
    assert.deepEqual([report.scope, report.lagSeconds, report.nextRunAt, report.rowsWritten], [null, null, null, 0]);
  });

  it("says organization only while OpenAI refuses the tenant scope", () => {
    const cursor: ScopeCursor = { origin: 1_795_600_000, watermark: 1_795_607_000, frontier: 1_795_607_000, inFlight: [], sliceSeconds: 3_600, sweep: null, lateSweptAt: null, refused: null, lateSkipped: null };
    const audit = (refused: ScopeCursor["refused"]): AuditState => ({ scopes: { organization: cursor, tenant: { ...cursor, refused } }, unknownTypes: [], otherUnknownEvents: 0 });
    const scope = (a: AuditState) => healthReport(before1, { ...after1, audit: a }, view("auditLogs"), "running", NOW, null, []).scope;
    assert.deepEqual([scope(audit(null)), scope(audit({ status: 403, reason: "no tenant", since: 1_795_607_000, retryAt: 1_795_610_600 }))], ["organization, tenant", "organization"]);
  });

  it("of a deleted collector: state deleted, no work, the last totals, lag and error, no next run", () => {
    assert.deepEqual(deletedHealthReport(view("auditLogs").definition, after1.stats, null, NOW), {
      collectorId: "org-audit", connectorName: "Org audit", dataType: "auditLogs", scope: "organization, tenant", state: "deleted", at: "2026-11-25T12:00:03.000Z",
      rowsWritten: 0, pages: 0, duplicatesSkipped: 0, rowsIngestedTotal: 1_250, pagesTotal: 13, duplicatesSkippedTotal: 5, lagSeconds: 1_003, throttledResponses: 0, consecutiveFailures: 1,
      lastError: { at: "2026-11-25T12:00:02.000Z", kind: "throttled", message: "HTTP 429: slow down" }, lastSuccessAt: "2026-11-25T12:00:02.000Z",
      nextRunAt: null, nextReportAt: null, definitionVersion: 3,
    });
    const unknown = deletedHealthReport(view("chatCompletions").definition, null, null, NOW);
    assert.deepEqual([unknown.scope, unknown.rowsIngestedTotal, unknown.lagSeconds, unknown.lastError, unknown.consecutiveFailures], [null, 0, null, null, 0]);
    assert.deepEqual(checkRow(CONNECTOR_HEALTH_TABLE, toConnectorHealthRow(unknown)), []);
  });

  it("reports lag in whole seconds even when the newest event time is fractional (a long column)", () => {
    const fractional = { ...before_, stats: { ...before_.stats, newestEventAt: NOW / 1000 - 90.6 } };
    const report = healthReport(fractional, fractional, view("chatCompletions"), "running", NOW, null, [{ kind: "ok" }]);
    assert.deepEqual([report.lagSeconds, checkRow(CONNECTOR_HEALTH_TABLE, toConnectorHealthRow(report))], [90, []]);
  });
});

describe("health row", () => {
  const report = healthReport(before1, after1, view("auditLogs"), "backingOff", NOW, NOW + 30_000, [{ kind: "throttled", retryAfterMs: 30_000, message: "x" }]);
  it("fills the table's columns with their types and leaves absent values out", () => {
    const row = toConnectorHealthRow(report);
    assert.deepEqual(checkRow(CONNECTOR_HEALTH_TABLE, row), []);
    assert.deepEqual(Object.keys(row).sort(), CONNECTOR_HEALTH_TABLE.columns.map((c) => c.name).sort());
    const quiet = toConnectorHealthRow(healthReport(before_, before_, view("chatCompletions"), "stopped", NOW, null, []));
    assert.deepEqual(CONNECTOR_HEALTH_TABLE.columns.map((c) => c.name).filter((name) => !(name in quiet)),
      ["Scope", "LagSeconds", "LastErrorKind", "LastErrorMessage", "LastErrorAt", "LastSuccessAt", "NextRunAt", "NextReportAt"]);
    assert.equal(quiet.Id, "org-audit:2026-11-25T12:00:03.000Z");
  });
  it("cuts a long error message to 1,000 characters", () => {
    const long: HealthReport = { ...report, lastError: { at: "2026-11-25T12:00:02.000Z", kind: "failed", message: "e".repeat(5_000) } };
    assert.equal((toConnectorHealthRow(long).LastErrorMessage as string).length, 1_000);
  });
});

describe("health activity", () => {
  let tls: TestTls;
  let fake: LogsIngestionFake;
  let withoutHealth: LogsIngestionFake;
  before(async () => {
    tls = await testTls();
    fake = await new LogsIngestionFake({ tls, dcrImmutableId: DCR_ID, tables: TABLES, token: AZURE_TOKEN, retain: "rows" }).start();
    withoutHealth = await new LogsIngestionFake({ tls, dcrImmutableId: DCR_ID, tables: [AUDIT_LOGS_TABLE, CHAT_COMPLETIONS_TABLE], token: AZURE_TOKEN, retain: "rows" }).start();
  });
  after(async () => { await Promise.all([fake.stop(), withoutHealth.stop()]); });
  const report = healthReport(before1, after1, view("auditLogs"), "running", NOW, NOW + 300_000, [{ kind: "ok" }]);
  const writerFor = (f: LogsIngestionFake) => new SentinelWriter(f.endpoint, DCR_ID, staticCredential(), { ca: tls.ca, maxRetries: 0 });

  it("uploads the generation's row to the health stream", async () => {
    assert.deepEqual(await writeConnectorHealth(() => writerFor(fake), { enabled: true })(report), { written: true });
    assert.deepEqual(fake.rows(CONNECTOR_HEALTH_STREAM), [toConnectorHealthRow(report)]);
  });

  it("returns the reason, and throws nothing, when the DCR has no health stream", async () => {
    const result = await writeConnectorHealth(() => writerFor(withoutHealth), { enabled: true })(report);
    assert.equal(result.written, false);
    assert.match(result.written ? "" : result.reason, /Custom-OpenAIConnectorHealth_CL/);
    assert.deepEqual(withoutHealth.rows(CONNECTOR_HEALTH_STREAM), []);
  });

  it("sends nothing when switched off", async () => {
    const requests = fake.stats.requests;
    assert.deepEqual(await writeConnectorHealth(() => writerFor(fake), { enabled: false })(report), { written: false, reason: "disabled by CONNECTOR_HEALTH_ENABLED=false", disabled: true });
    assert.equal(fake.stats.requests, requests);
  });
});
