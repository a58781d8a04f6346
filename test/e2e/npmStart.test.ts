/**
 * `npm start`'s entry as a user runs it: a child process with no settings (demo mode), driven over
 * HTTP, killed with SIGKILL in the middle of a backfill, started again on the same data folder.
 * Every id must arrive, and at most one page per collector may be read twice.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { demoData, type DemoOptions } from "../../src/local/demo";
import { detectionScenarios } from "../../src/local/fakes/detectionScenarios";
import { usageScenarios } from "../../src/local/fakes/usageScenarios";
import { demoRowIds as rowIds, startDemoProcess } from "./demoProcess";
import { until } from "./pageHarness";

const start = (dataDir: string, port: number, env: Record<string, string> = {}) => startDemoProcess(dataDir, port, options,
  { FETCH_PARALLELISM: "1", PAGES_PER_ACTIVITY: "1", CHAT_PAGES_PER_ACTIVITY: "1", AUDIT_OVERLAP_SECONDS: "0", ...env });

const ENTRY = path.resolve(__dirname, "../../src/local/main.js");
const options: DemoOptions = { auditBacklog: 6_000, completionBacklog: 6_000, complianceBacklog: 300, latencyMs: 25, live: false };
/** The demo adds the events that make the analytic rules fire. */
const scenarioEvents = [...detectionScenarios(0), ...usageScenarios(0)].reduce((n, s) => n + s.events.length, 0);

/** Distinct ids delivered (a row read twice counts once). */
function distinct(dataDir: string, table: string): number {
  return new Set(rowIds(dataDir, table)).size;
}

function pagesReadTwice(dataDir: string, pathName: string): number {
  const counts = new Map<string, number>();
  for (const line of fs.readFileSync(path.join(dataDir, "demo", "openai-requests.ndjson"), "utf8").split("\n")) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as { path: string; query: string; status: number };
    if (r.path === pathName && r.status === 200) counts.set(r.query, (counts.get(r.query) ?? 0) + 1);
  }
  return [...counts.values()].filter((n) => n > 1).length;
}

function expectedIds(dataDir: string) {
  const { epochSeconds } = JSON.parse(fs.readFileSync(path.join(dataDir, "demo", "demo-epoch.json"), "utf8")) as { epochSeconds: number };
  const expected = demoData(epochSeconds, options);
  return { audit: new Set(expected.audit.map(([e]) => e.id)), chat: new Set(expected.completions.map(([c]) => c.id)) };
}

describe("npm start", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "openai-sentinel-e2e-"));
  const drainDir = fs.mkdtempSync(path.join(os.tmpdir(), "openai-sentinel-drain-"));
  const children: ChildProcess[] = [];
  after(() => { for (const c of children) c.kill("SIGKILL"); for (const d of [dataDir, drainDir]) fs.rmSync(d, { recursive: true, force: true }); });

  it("drains on SIGTERM: in-flight pages finish, it exits 0 within the grace period, and the restart reads no page twice", async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const env = { SHUTDOWN_GRACE_SECONDS: "10" };
    const first = start(drainDir, port, env);
    children.push(first);
    await until("the management API", () => (first.output.join("").includes("Management API:") ? true : undefined), 30_000);
    await until("a backfill in progress", () => (rowIds(drainDir, "OpenAIAuditLogs_CL").length >= 1_500 && rowIds(drainDir, "OpenAIChatCompletions_CL").length >= 1_500 ? true : undefined), 60_000);
    const signalledAt = Date.now();
    first.kill("SIGTERM");
    const code = await new Promise<number | null>((r) => first.once("exit", (c) => r(c)));
    const stoppedInMs = Date.now() - signalledAt;
    const hostLog = fs.readFileSync(path.join(drainDir, "demo", "host.log"), "utf8");
    // The local ledger's database was closed too: its write-ahead log folded back into table-storage.sqlite.
    const ledgerWal = fs.existsSync(path.join(drainDir, "demo", "table-storage.sqlite-wal"));
    assert.deepEqual([code, stoppedInMs < 10_000 + 5_000, /stopped after \d+ ms: every activity in flight finished/.test(hostLog), ledgerWal], [0, true, true, false], `exit ${code} after ${stoppedInMs} ms`);
    const atStop = [rowIds(drainDir, "OpenAIAuditLogs_CL").length, rowIds(drainDir, "OpenAIChatCompletions_CL").length];
    assert.ok(atStop[0]! < options.auditBacklog && atStop[1]! < options.completionBacklog, `stopped too late: ${atStop.join(", ")}`);

    const second = start(drainDir, port, env);
    children.push(second);
    await until("the backfill to finish", () => (distinct(drainDir, "OpenAIAuditLogs_CL") >= options.auditBacklog + scenarioEvents && distinct(drainDir, "OpenAIChatCompletions_CL") >= options.completionBacklog ? true : undefined), 120_000);
    const expected = expectedIds(drainDir);
    const audit = rowIds(drainDir, "OpenAIAuditLogs_CL"), chat = rowIds(drainDir, "OpenAIChatCompletions_CL");
    assert.deepEqual({ audit: new Set(audit), chat: new Set(chat), auditRows: audit.length, chatRows: chat.length }, { ...expected, auditRows: expected.audit.size, chatRows: expected.chat.size });
    assert.deepEqual([pagesReadTwice(drainDir, "/v1/organization/audit_logs"), pagesReadTwice(drainDir, "/v1/chat/completions")], [0, 0]);
    second.kill("SIGTERM");
    await new Promise((r) => second.once("exit", r));
  });

  it("survives a kill in the middle of a backfill: every id arrives, at most one page per collector read twice", async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const first = start(dataDir, port);
    children.push(first);
    await until("the management API", () => (first.output.join("").includes("Management API:") ? true : undefined), 30_000);
    const list = (await (await fetch(`http://localhost:${port}/api/collectors`)).json()) as { collectors: Array<{ id: string; status: string }> };
    assert.deepEqual(list.collectors.map((c) => c.id), ["demo-audit", "demo-chat", "demo-chatgpt", "demo-costs", "demo-usage"]);

    // Kill it hard once both collectors are well into their backfill.
    await until("a backfill in progress", () => (rowIds(dataDir, "OpenAIAuditLogs_CL").length >= 1_500 && rowIds(dataDir, "OpenAIChatCompletions_CL").length >= 1_500 ? true : undefined), 60_000);
    first.kill("SIGKILL");
    await new Promise((r) => first.once("exit", r));
    const atKill = [rowIds(dataDir, "OpenAIAuditLogs_CL").length, rowIds(dataDir, "OpenAIChatCompletions_CL").length];
    assert.ok(atKill[0]! < options.auditBacklog && atKill[1]! < options.completionBacklog, `killed too late: ${atKill.join(", ")}`);

    const second = start(dataDir, port);
    children.push(second);
    await until("the backfill to finish", () => (distinct(dataDir, "OpenAIAuditLogs_CL") >= options.auditBacklog + scenarioEvents && distinct(dataDir, "OpenAIChatCompletions_CL") >= options.completionBacklog ? true : undefined), 120_000);
    const { epochSeconds } = JSON.parse(fs.readFileSync(path.join(dataDir, "demo", "demo-epoch.json"), "utf8")) as { epochSeconds: number };
    const expected = demoData(epochSeconds, options);
    const audit = rowIds(dataDir, "OpenAIAuditLogs_CL");
    const chat = rowIds(dataDir, "OpenAIChatCompletions_CL");
    assert.deepEqual(new Set(audit), new Set(expected.audit.map(([e]) => e.id)));
    assert.deepEqual(new Set(chat), new Set(expected.completions.map(([c]) => c.id)));
    const twice = [pagesReadTwice(dataDir, "/v1/organization/audit_logs"), pagesReadTwice(dataDir, "/v1/chat/completions")];
    assert.ok(twice[0]! <= 1 && twice[1]! <= 1, `pages read twice: audit ${twice[0]}, chat ${twice[1]}`);
    // A page read twice re-delivers at most its rows.
    assert.ok(audit.length - new Set(audit).size <= 100 && chat.length - new Set(chat).size <= 100, `${audit.length - new Set(audit).size} / ${chat.length - new Set(chat).size} duplicate rows`);

    const status = (await (await fetch(`http://localhost:${port}/api/collectors/demo-audit`)).json()) as { status: string; rowsIngested: number };
    assert.equal(status.status, "running");
    // The ChatGPT workspace's compliance logs arrive too: every event of the files published by now (COSTS repeats dropped), none of a later one.
    const publishedIds = () => new Set(expected.compliance.filter(([f, visibleAt]) => visibleAt <= Date.now() && f.eventType !== "CONVERSATION_MESSAGE").flatMap(([f]) => f.records.map((r) => r.event_id as string)));
    const ingested = () => new Set([...rowIds(dataDir, "ChatGPTComplianceLogs_CL", "EventId"), ...rowIds(dataDir, "ChatGPTCosts_CL", "EventId")]);
    const published = publishedIds();
    await until("the compliance backfill", () => ([...published].every((id) => ingested().has(id)) ? true : undefined), 120_000);
    const publishedNow = publishedIds();
    assert.deepEqual([...ingested()].filter((id) => !publishedNow.has(id)), []);
    assert.ok(published.size > 300, `${published.size} compliance events`);
    second.kill("SIGTERM");
    await new Promise((r) => second.once("exit", r));
  });

  it("stops start-up with one line naming a wrong setting", async () => {
    const child = spawn(process.execPath, [ENTRY, "--data", dataDir], {
      cwd: os.tmpdir(), env: { PATH: process.env.PATH, OPENAI_BASE_URL: "https://api.openai.com/v1", LOGS_INGESTION_ENDPOINT: "https://dce.example.com", DCR_IMMUTABLE_ID: "my-dcr" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise((r) => child.once("exit", r));
    assert.deepEqual([code, stderr.trim().split("\n").length], [1, 1]);
    assert.match(stderr, /^Setting DCR_IMMUTABLE_ID must be "dcr-" followed by 32 lower-case hex digits, got "my-dcr"/);
  });
});
