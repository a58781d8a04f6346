/**
 * Each analytic rule against its positive sample. No KQL engine that runs in-process can be had
 * from this machine's registries (npm has only Kusto's language service; KustoLoco is not served
 * by NuGet here), so the rules are not executed. Instead: the sample events go through the real
 * row mapper, and every event type the rule filters on and every column its `where` clauses read
 * must be present in the sample rows. The demo organization contains every sample.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import auditEventTypes from "./schemas/openai-audit-event-types.json";
import { eventTypeLiterals, loadYamlFolder, minutes, type QueryTemplate } from "./contentFiles";
import { deletedHealthReport, healthReport } from "../../orchestrators/health";
import { initialState } from "../../orchestrators/state";
import { DEMO_USAGE_DAYS, demoData } from "../../src/local/demo";
import { detectionScenarios } from "../../src/local/fakes/detectionScenarios";
import { complianceDetectionScenarios } from "../../src/local/fakes/complianceScenarios";
import { DEMO_CHATGPT_ORG } from "../../src/local/demo";
import { toComplianceLogRow } from "../../src/rows/complianceLogRow";
import { toConnectorHealthRow } from "../../src/health/connectorHealthRow";
import { UsageLedger } from "../../src/local/fakes/usageLedger";
import { usageScenarios } from "../../src/local/fakes/usageScenarios";
import { toAuditLogRow } from "../../src/rows/auditLogRow";
import { eventTypeScope } from "../../src/audit/eventTypes";
import type { AuditLogEvent } from "../../src/openai/types";
import { snapshotRows } from "../../src/rows/usageRow";
import { AUDIT_LOGS_TABLE, CHATGPT_COMPLIANCE_LOGS_TABLE, checkRow, CONNECTOR_HEALTH_TABLE, COSTS_TABLE, USAGE_TABLE, type TableSchema } from "../../src/schema/tables";
import { SERIES } from "../../src/usage/series";

const AT = 1_795_608_000;
const rules = loadYamlFolder<QueryTemplate>("AnalyticRules");
const origin = { connectorName: "Org audit", collectorId: "org-audit", collectedAt: "2026-11-25T12:00:00.000Z" };

const settings = { parallelism: 1, maxPagesPerActivity: 1, chatPagesPerActivity: 1, lagSeconds: 60, overlapSeconds: 900 };
const definition = { id: "org-audit", dataType: "auditLogs" as const, friendlyName: "Org audit", apiKeySecretName: "openai-admin-key", pollIntervalSeconds: 300, startTime: "2026-11-25T10:00:00Z", version: 1 };
const state = initialState("org-audit", "2026-11-25T10:00:00Z");

type Sample = Array<{ table: TableSchema; rows: Record<string, unknown>[] }>;

/** The usage and costs rows the collectors would write for a scenario's usage: its hours and its day, as the mock's API answers. */
function usageSampleRows(usage: Parameters<UsageLedger["add"]>[0]): Sample {
  const ledger = new UsageLedger();
  ledger.add(usage);
  const at = { collectorId: "org-usage", connectorName: "Org usage", collectedAt: "2026-11-25T12:00:00.000Z", isRevision: false };
  const hours = [...new Set(usage.map((u) => Math.floor(u.at / 3_600) * 3_600))];
  const days = [...new Set(usage.map((u) => Math.floor(u.at / 86_400) * 86_400))];
  const bucket = (series: "completions" | "costs", start: number, width: number) => ({ startTime: start, endTime: start + width, results: ledger.results(series, start, start + width, SERIES[series].groupBy, Number.MAX_SAFE_INTEGER) });
  return [
    { table: USAGE_TABLE, rows: hours.flatMap((h) => snapshotRows("completions", bucket("completions", h, 3_600), { ...at, bucketWidth: "1h" })) },
    { table: COSTS_TABLE, rows: days.flatMap((d) => snapshotRows("costs", bucket("costs", d, 86_400), { ...at, bucketWidth: "1d" })) },
  ];
}

/** Rows that should make each rule fire, by the table they belong to. */
function samples(): Map<string, Sample> {
  // Each event in the scope OpenAI lists it under (tenant.* only with tenant_only=true), as the collector maps it.
  const auditRows = (events: readonly AuditLogEvent[]) => events.map((e) => toAuditLogRow(e, { ...origin, scope: eventTypeScope(e.type) }));
  const map = new Map<string, Sample>(detectionScenarios(AT).map((s) => [s.rule, [{ table: AUDIT_LOGS_TABLE, rows: auditRows(s.events) }]]));
  for (const s of usageScenarios(AT).filter((u) => rules.some((r) => r.name === `${u.content}.yaml`))) {
    map.set(s.content, [{ table: AUDIT_LOGS_TABLE, rows: auditRows(s.events) }, ...usageSampleRows(s.usage)]);
  }
  const failed = { ...state, stats: { ...state.stats, newestEventAt: AT - 7_200, failures: 4, lastError: { at: "2026-11-25T11:59:00.000Z", kind: "unauthorized", message: "HTTP 401" } } };
  const report = healthReport(state, failed, { definition, desired: "running", settings }, "unauthorized", AT * 1000, AT * 1000 + 300_000, [{ kind: "unauthorized", message: "HTTP 401" }]);
  map.set("OpenAICollectorUnhealthy", [{ table: CONNECTOR_HEALTH_TABLE, rows: [toConnectorHealthRow(report)] }]);
  const file = { logFileId: "eclf_sample", logFileEndTime: "2026-11-25T12:00:00.000001Z", scope: "workspace", line: 1 };
  for (const s of complianceDetectionScenarios(AT, DEMO_CHATGPT_ORG)) map.set(s.rule, [{ table: CHATGPT_COMPLIANCE_LOGS_TABLE, rows: s.records.map((r) => toComplianceLogRow(r.record, { ...origin, ...file })) }]);
  return map;
}

/** Table columns named in the query's `where` clauses. */
function filterColumns(query: string, table: TableSchema): string[] {
  const whereText = query.split("\n").filter((line) => /^\s*\|?\s*where\b/.test(line) || /^\s+(or|and)\b/.test(line)).join("\n");
  return table.columns.map((c) => c.name).filter((name) => new RegExp(`\\b${name}\\b`).test(whereText));
}

describe("analytic rules against their positive samples", () => {
  const all = samples();
  it("every rule has a sample and every sample a rule", () => {
    assert.deepEqual([...all.keys()].sort(), rules.map((r) => r.name.replace(/\.yaml$/, "")).sort());
  });
  for (const rule of rules) {
    it(`${rule.name}: the sample rows fit their tables, carry the event types it filters on and fill every column its filters read`, () => {
      const sample = all.get(rule.name.replace(/\.yaml$/, ""))!;
      assert.deepEqual(sample.flatMap((s) => s.rows.flatMap((r) => checkRow(s.table, r))), []);
      const wanted = eventTypeLiterals(rule.doc.query, auditEventTypes.eventTypes);
      const present = new Set(sample.flatMap((s) => s.rows.map((r) => r.EventType as string)));
      if (wanted.length > 0) assert.ok(wanted.some((t) => present.has(t)), `sample has ${[...present].join(", ")}; the rule wants ${wanted.join(", ")}`);
      const empty = sample.flatMap((s) => filterColumns(rule.doc.query, s.table).filter((c) => !s.rows.some((r) => r[c] !== undefined && r[c] !== null && r[c] !== "")).map((c) => `${s.table.tableName}.${c}`));
      assert.deepEqual(empty, []);
    });
  }
  it("OpenAICollectorUnhealthy leaves out exactly the states a deliberate stop and a delete write", () => {
    const query = rules.find((r) => r.name === "OpenAICollectorUnhealthy.yaml")!.doc.query;
    const ignored = JSON.parse(/let NotCollectingOnPurpose = dynamic\((\[[^\]]*\])\);/.exec(query)![1]!) as string[];
    const stopped = toConnectorHealthRow(healthReport(state, state, { definition, desired: "stopped", settings }, "stopped", AT * 1000, null, [])).State;
    const deleted = toConnectorHealthRow(deletedHealthReport(definition, state.stats, null, AT * 1000)).State;
    assert.deepEqual([...ignored].sort(), [deleted, stopped]);
    assert.match(query, /\| where State !in \(NotCollectingOnPurpose\)/);
  });
  it("rules that look back further than they run judge each new row once, by ingestion time, and see the whole sequence window", () => {
    const problems: string[] = [];
    for (const rule of rules) {
      const runEvery = /let RunEvery = (\w+);/.exec(rule.doc.query)?.[1];
      if (runEvery === undefined) continue;
      if (runEvery !== rule.doc.queryFrequency) problems.push(`${rule.name}: RunEvery ${runEvery} but queryFrequency ${rule.doc.queryFrequency}`);
      if (!/ingestion_time\(\)/.test(rule.doc.query) || !/IngestedAt > ago\(RunEvery\)/.test(rule.doc.query)) problems.push(`${rule.name}: no ingestion-time guard`);
      const window = /let Window = (\w+);/.exec(rule.doc.query)?.[1];
      if (window && minutes(rule.doc.queryPeriod!) < minutes(rule.doc.queryFrequency!) + minutes(window)) problems.push(`${rule.name}: period ${rule.doc.queryPeriod} cannot hold a ${window} window before a row ingested in the last run`);
    }
    assert.deepEqual(problems, []);
    const brute = rules.find((r) => r.name === "OpenAIBruteForceThenSuccess.yaml")!.doc;
    assert.deepEqual([brute.queryFrequency, brute.queryPeriod, /let RunEvery = (\w+);/.test(brute.query)], ["1h", "2h", true]);
  });
  it("the demo organization (npm start) contains every sample, so all the audit rules would fire on it", () => {
    const demo = new Set(demoData(AT, { auditBacklog: 100, completionBacklog: 0, latencyMs: 0, live: false }).audit.map(([e]) => e.id));
    const scenarios = detectionScenarios(AT - 60);
    assert.deepEqual(scenarios.flatMap((s) => s.events.map((e) => e.id)).filter((id) => !demo.has(id)), []);
    // ... and inside what its collectors read (they start 3 days before the demo's epoch, src/local/main.ts).
    assert.deepEqual(scenarios.flatMap((s) => s.events).filter((e) => e.effective_at < AT - 3 * 86_400 || e.effective_at >= AT).map((e) => e.id), []);
    assert.ok(scenarios.length >= 5);
  });
  it("the demo workspace contains every ChatGPT sample, inside what its collector reads", () => {
    const files = demoData(AT, { auditBacklog: 0, completionBacklog: 0, complianceBacklog: 100, latencyMs: 0, live: false }).compliance;
    const demo = new Set(files.flatMap(([f]) => f.records.map((r) => r.event_id as string)));
    const scenarios = complianceDetectionScenarios(AT - 60, DEMO_CHATGPT_ORG).flatMap((s) => s.records);
    assert.deepEqual(scenarios.map((r) => r.record.event_id as string).filter((id) => !demo.has(id)), []);
    assert.deepEqual(scenarios.filter((r) => r.at < AT - 3 * 86_400 || r.at >= AT).map((r) => r.record.event_id), []);
  });
  it("the demo organization contains every usage scenario, inside what its usage and costs collectors read", () => {
    const demo = demoData(AT, { auditBacklog: 0, completionBacklog: 0, latencyMs: 0, live: false });
    const audit = new Set(demo.audit.map(([e]) => e.id)), usage = new Set(demo.usage.map(([u]) => u.id));
    const scenarios = usageScenarios(AT - 60);
    assert.deepEqual([scenarios.flatMap((s) => s.events.map((e) => e.id)).filter((id) => !audit.has(id)), scenarios.flatMap((s) => s.usage.map((u) => u.id)).filter((id) => !usage.has(id))], [[], []]);
    assert.deepEqual(scenarios.flatMap((s) => s.usage).filter((u) => u.at < AT - DEMO_USAGE_DAYS * 86_400 || u.at >= AT).map((u) => u.id), []);
  });
});
