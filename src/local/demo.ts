/**
 * `npm start` without settings: a local OpenAI organization with realistic data — a backlog of
 * audit events of many types and stored completions across models and projects, plus new ones
 * arriving over time (some audit events minutes late) — and a ChatGPT Enterprise workspace whose
 * compliance log files (every event type, hourly costs repeating some event ids, files published
 * late) arrive the same way, behind the local Logs Ingestion and Key Vault fakes. Accepted rows go
 * to NDJSON files, one per table, where a user can read them.
 */
import fs from "node:fs";
import path from "node:path";
import { stringifyExact } from "../json/exactJson";
import { startFakeEnvironment, type FakeEnvironment } from "./fakeEnvironment";
import { complianceDetectionScenarios } from "./fakes/complianceScenarios";
import { detectionScenarios } from "./fakes/detectionScenarios";
import { LineLog } from "./lineLog";
import { generateAuditEvents, generateCompletions, seededRandom } from "./fakes/generate";
import { generateComplianceRecords, logFilesOf, type ComplianceOrg, type LogFileSpec } from "./fakes/generateCompliance";
import { DEFAULT_POPULATION, generateUsageRecords } from "./fakes/generateUsage";
import type { UsageAttribution, UsageRecord } from "./fakes/usageLedger";
import { usageScenarios } from "./fakes/usageScenarios";
import type { AuditLogEvent, ChatCompletion } from "../openai/types";

/** Demo keys: obviously not real, but shaped like real ones (sk-admin-, sk-proj-, sk-comp-) so the connection test can tell their kind. */
export const DEMO_ADMIN_KEY = "sk-admin-DEMO-not-a-real-key";
export const DEMO_PROJECT_KEY = "sk-proj-DEMO-not-a-real-key";
export const DEMO_COMPLIANCE_KEY = "sk-comp-DEMO-not-a-real-key";
/** The demo's ChatGPT workspace and the API Platform organization linked to it. */
export const DEMO_CHATGPT_ORG: ComplianceOrg = { workspaceId: "3f2c6a1e-7d4b-4c8e-9a51-2b6d8e0f4c17", organizationId: "org-DemoOrganization01" };

/** Sizes of the demo data (settable for tests and benchmarks). */
export interface DemoOptions {
  readonly auditBacklog: number;
  readonly completionBacklog: number;
  /** ChatGPT compliance records in the three days before the start (besides hourly costs); none when absent. */
  readonly complianceBacklog?: number;
  /** Latency the mock adds to every request, ms. */
  readonly latencyMs: number;
  /** Whether new events keep arriving after the start. */
  readonly live: boolean;
}

/** Reads DEMO_* settings. */
export function demoOptions(env: Readonly<Record<string, string | undefined>>): DemoOptions {
  const int = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new Error(`Setting ${name} must be a whole number ≥ 0, got "${raw}"`);
    return n;
  };
  return { auditBacklog: int("DEMO_AUDIT_EVENTS", 20_000), completionBacklog: int("DEMO_COMPLETIONS", 3_000), complianceBacklog: int("DEMO_COMPLIANCE_EVENTS", 3_000), latencyMs: int("DEMO_LATENCY_MS", 50), live: env.DEMO_LIVE !== "false" };
}

/** How far back the demo's usage and costs collectors start: two weeks of baseline for the spike hunting query. */
export const DEMO_USAGE_DAYS = 16;

/** Who the demo's stored completions are billed to: the project and key of their app, the user in their metadata. */
export const DEMO_ATTRIBUTION: UsageAttribution = (c) => {
  const metadata = (c.metadata ?? {}) as Record<string, unknown>;
  const support = metadata.app === "support-bot";
  return { projectId: support ? "proj_alpha" : "proj_beta", apiKeyId: support ? "key_web" : "key_ops", userId: typeof metadata.user === "string" ? metadata.user : "user-ada" };
};

/** The demo's data, a pure function of its epoch (so a restart sees the same organization). */
export function demoData(epochSeconds: number, options: DemoOptions): {
  audit: Array<[AuditLogEvent, number | undefined]>; completions: Array<[ChatCompletion, number | undefined]>;
  usage: Array<[UsageRecord, number | undefined]>; compliance: Array<[LogFileSpec, number]>;
} {
  const audit: Array<[AuditLogEvent, number | undefined]> = generateAuditEvents(options.auditBacklog, epochSeconds - 3 * 86_400, epochSeconds - 60, 11).map((e) => [e, undefined]);
  // Events that make the analytic rules in content/AnalyticRules fire, in the half hour before the start.
  for (const scenario of detectionScenarios(epochSeconds - 60)) for (const e of scenario.events) audit.push([e, undefined]);
  const completions: Array<[ChatCompletion, number | undefined]> = generateCompletions(options.completionBacklog, epochSeconds - 2 * 86_400, epochSeconds - 30, 12).map((c) => [c, undefined]);
  // Usage of every family beyond the stored completions (whose usage the mock adds itself), and the usage scenarios.
  const usage: Array<[UsageRecord, number | undefined]> = generateUsageRecords(Math.round(options.completionBacklog * 1.5), epochSeconds - DEMO_USAGE_DAYS * 86_400, epochSeconds - 60, 13, undefined, DEFAULT_POPULATION).map((u) => [u, undefined]);
  for (const scenario of usageScenarios(epochSeconds - 60)) {
    for (const e of scenario.events) audit.push([e, undefined]);
    for (const u of scenario.usage) usage.push([u, undefined]);
  }
  if (options.live) {
    // Two days of arrivals: an audit event every ~15 s, 10 % of them 1–10 minutes late; a completion every ~20 s.
    for (let hour = 0; hour < 48; hour++) {
      const from = epochSeconds + hour * 3_600;
      const random = seededRandom(1_000 + hour);
      for (const e of generateAuditEvents(240, from, from + 3_600, 2_000 + hour)) {
        const delay = random() < 0.1 ? 60 + random() * 540 : random() * 5;
        audit.push([e, (e.effective_at + delay) * 1000]);
      }
      for (const c of generateCompletions(180, from, from + 3_600, 3_000 + hour)) completions.push([c, (c.created + 1) * 1000]);
      // Usage that shows up to 25 minutes late: some buckets change after they were read, and are read again.
      for (const u of generateUsageRecords(60, from, from + 3_600, 4_000 + hour)) usage.push([u, (u.at + random() * 1_500) * 1000]);
    }
  }
  return { audit, completions, usage, compliance: complianceFiles(epochSeconds, options) };
}

/**
 * The demo workspace's compliance log files, each published (visible) when its period ends — a
 * few minutes after, and for one in ten up to 40 minutes late (inside the collector's re-list
 * overlap) — with the records that make the ChatGPT rules fire just before the start.
 */
function complianceFiles(epochSeconds: number, options: DemoOptions): Array<[LogFileSpec, number]> {
  const backlog = generateComplianceRecords(DEMO_CHATGPT_ORG, epochSeconds - 3 * 86_400, epochSeconds - 600, options.complianceBacklog ?? 0, 13);
  for (const scenario of complianceDetectionScenarios(epochSeconds - 60, DEMO_CHATGPT_ORG)) backlog.push(...scenario.records);
  const files = logFilesOf(backlog, DEMO_CHATGPT_ORG, 1_800, 13);
  if (options.live) files.push(...logFilesOf(generateComplianceRecords(DEMO_CHATGPT_ORG, epochSeconds, epochSeconds + 2 * 86_400, 4_000, 14), DEMO_CHATGPT_ORG, 600, 14));
  const random = seededRandom(15);
  return files.map((f) => [f, Date.parse(f.endTime) + (random() < 0.1 ? 600_000 + random() * 1_800_000 : 60_000 + random() * 120_000)]);
}

/** Starts the demo environment with its data directory (epoch kept there across restarts). */
export async function startDemo(dataDir: string, options: DemoOptions): Promise<FakeEnvironment & { epochSeconds: number }> {
  fs.mkdirSync(path.join(dataDir, "rows"), { recursive: true });
  const epochFile = path.join(dataDir, "demo-epoch.json");
  const epochSeconds = fs.existsSync(epochFile) ? (JSON.parse(fs.readFileSync(epochFile, "utf8")) as { epochSeconds: number }).epochSeconds : Math.floor(Date.now() / 1000);
  fs.writeFileSync(epochFile, JSON.stringify({ epochSeconds, options }));
  const env = await startFakeEnvironment({
    mock: { adminKey: DEMO_ADMIN_KEY, projectKey: DEMO_PROJECT_KEY, latencyMs: options.latencyMs, usageAttribution: DEMO_ATTRIBUTION },
    compliance: { complianceKey: DEMO_COMPLIANCE_KEY },
    secrets: { "openai-admin-key": DEMO_ADMIN_KEY, "openai-project-key": DEMO_PROJECT_KEY, "chatgpt-compliance-key": DEMO_COMPLIANCE_KEY },
    onRows: (stream, rows) => fs.appendFileSync(path.join(dataDir, "rows", `${stream.replace(/^Custom-/, "")}.ndjson`), rows.map((r) => stringifyExact(r)).join("\n") + "\n"),
    tableFile: path.join(dataDir, "table-storage.sqlite"),
    tableImportFrom: path.join(dataDir, "table-storage.json"),
  });
  const requestLog = new LineLog(path.join(dataDir, "openai-requests.ndjson"));
  env.openai.onServed = (r) => requestLog.write(JSON.stringify({ method: r.method, path: r.path, query: r.query.toString(), status: r.status }));
  const data = demoData(epochSeconds, options);
  for (const [event, visibleAt] of data.audit) env.openai.addAuditEvents([event], visibleAt);
  for (const [completion, visibleAt] of data.completions) env.openai.addCompletions([completion], visibleAt);
  for (const [file, visibleAt] of data.compliance) env.compliance.addLogFile({ ...file, visibleAtMs: visibleAt });
  env.openai.usage.add(data.usage.map(([record, visibleAt]) => (visibleAt === undefined ? record : { ...record, visibleAtMs: visibleAt })));
  return { ...env, epochSeconds };
}
