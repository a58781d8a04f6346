/**
 * `npm run bench`: backfill and steady-state throughput of the connector against the rate-limit
 * bound, beside the baseline a user would write (the official `openai` SDK's auto-pagination plus
 * `LogsIngestionClient.upload`, sequential). One process tree: this process runs the connector on
 * the embedded durable host; a child process holds the OpenAI mock and the Logs Ingestion fake.
 * Prints figures and writes `.bench/results.json`; `--write` also renders BENCHMARKS.md and the chart.
 */
import "../../src/local/installCore";
import { fork, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { HttpRequest } from "@azure/functions";
import { LogsIngestionClient } from "@azure/monitor-ingestion";
import OpenAI from "openai";
import type { CollectDeps } from "../../activities/deps";
import type { RuntimeSettings } from "../../orchestrators/state";
import { AUDIT_LOGS_STREAM, CHAT_COMPLETIONS_STREAM } from "../../src/config";
import { registerFunctions } from "../../src/functions/register";
import { embeddedProgressLog } from "../../src/local/embeddedProgressLog";
import { RealClock, VirtualClock, type Clock } from "../../src/local/durable/clock";
import { DurableHost, type DurableHostOptions } from "../../src/local/durable/host";
import { invokeHttp } from "../../src/local/durable/invoke";
import { startRpcServer } from "../../src/local/durable/rpcServer";
import { localCredential, LOCAL_DCR_ID, startFakeEnvironment } from "../../src/local/fakeEnvironment";
import { generateAuditEvents, generateCompletions } from "../../src/local/fakes/generate";
import { registeredFunctions } from "../../src/local/functionsCore";
import { matchRoute } from "../../src/local/router";
import { ComplianceClient } from "../../src/compliance/client";
import { OpenAIClient } from "../../src/openai/client";
import type { AuditLogEvent, ChatCompletion } from "../../src/openai/types";
import { toAuditLogRow } from "../../src/rows/auditLogRow";
import { toChatCompletionRow } from "../../src/rows/chatCompletionRow";
import { SecretCache } from "../../src/secrets/secretCache";
import { SentinelWriter } from "../../src/sentinel/writer";
import { TableLedger } from "../../src/ledger/tableLedger";
import type { FakesConfig, FakesStats } from "./fakesProcess";
import { EMBEDDED_NODE_FLAGS } from "../../src/local/heapLimit";
import { compareProgress, progressCostLines } from "./progressCost";
import { renderReport, type BackfillResult, type BenchResults } from "./report";
import { idleCost, idleFloor, runSoak, type SoakHarness, type SoakResults } from "./soak";
import { renderSoak } from "./soakReport";
import { busySteadyState, type BusyHarness } from "./busySteady";

const argv = process.argv.slice(2);
const args = new Set(argv);
const QUICK = args.has("--quick");
/** `--only chat,steady`: run only these groups (printing their figures; BENCHMARKS.md is rendered from full runs only). */
const ONLY = argv.includes("--only") ? new Set((argv[argv.indexOf("--only") + 1] ?? "").split(",")) : null;
const GROUPS = ["backfill", "capped", "baseline", "fanout", "chat", "soak", "steady", "busy"] as const;
const runs = (group: (typeof GROUPS)[number]) => ONLY === null || ONLY.has(group);
const scale = (n: number) => (QUICK ? Math.ceil(n / 10) : n);
/** `--pairs N`: interleaved records-on/records-off pairs of the uncapped backfill (default 2; quick 3). */
const PAIRS = argv.includes("--pairs") ? Number(argv[argv.indexOf("--pairs") + 1]) : QUICK ? 3 : 2;
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 150);
const RATE_CAP = Number(process.env.BENCH_RATE_CAP ?? 5);
const NOW_S = Math.floor(Date.now() / 1000);
// At least 16 characters, as every key must be (src/secrets/apiKeyValue.ts).
const KEYS = { admin: "bench-admin-key-0001", project: "bench-project-key-0002" };

// ---- the connector, registered once; each scenario points it at fresh fakes ------------------
// `pageProgress: false` is the bench's baseline for the page-progress records (no progress log handed to the activities).
const box: { deps?: CollectDeps; settings: RuntimeSettings; clock: Clock; pageProgress: boolean } = { pageProgress: true, settings: { parallelism: 8, maxPagesPerActivity: 10, chatPagesPerActivity: 20, lagSeconds: 60, overlapSeconds: 1_800, chatLateHorizonSeconds: 1_800 }, clock: new RealClock() };
registerFunctions({ deps: () => box.deps!, settings: () => box.settings, declaredCollectors: () => [], openaiBaseUrl: "https://api.openai.com/v1", now: () => box.clock.now(), pageProgress: () => box.pageProgress, progressLog: embeddedProgressLog });

function clientsFor(openaiUrl: string, ingestionUrl: string, tableUrl: string, ca: string, clock: Clock, maxRequestsPerSecond?: number): CollectDeps {
  const secrets = new SecretCache((name) => Promise.resolve(name === "openai-admin-key" ? KEYS.admin : KEYS.project), undefined, () => clock.now());
  return { openai: new OpenAIClient({ baseUrl: openaiUrl, ...(maxRequestsPerSecond ? { maxRequestsPerSecond } : {}) }), compliance: new ComplianceClient({ baseUrl: `${openaiUrl}/compliance`, ca }), writer: new SentinelWriter(ingestionUrl, LOCAL_DCR_ID, localCredential(), { ca }), secrets,
    ledger: new TableLedger({ endpoint: tableUrl, credential: localCredential() }, { ca }), now: () => clock.now() };
}

async function startConnector(clock: Clock, hostOptions: Partial<DurableHostOptions> = {}) {
  const host = new DurableHost({ clock, activityConcurrency: 64, ...hostOptions });
  const rpc = await startRpcServer(host);
  const api = async (method: string, apiPath: string, body?: unknown) => {
    const match = matchRoute(registeredFunctions(), method, apiPath);
    if (!match || match === "methodNotAllowed") throw new Error(`no route ${apiPath}`);
    const request = new HttpRequest({ method, url: `http://localhost/api/${apiPath}`, params: match.params, ...(body ? { body: { string: JSON.stringify(body) } } : {}) });
    const res = (await invokeHttp(match.fn, request, rpc.baseUrl)) as { status?: number; jsonBody?: unknown };
    if ((res.status ?? 200) >= 400) throw new Error(`${method} ${apiPath}: ${JSON.stringify(res.jsonBody)}`);
    return res.jsonBody;
  };
  return { host, api, stop: async () => { await host.shutdown(); await rpc.close(); } };
}

// ---- the fakes' child process --------------------------------------------------------------
interface Child { proc: ChildProcess; openaiUrl: string; ingestionUrl: string; tableUrl: string; ca: string; stats(): Promise<FakesStats>; add(audit: AuditLogEvent[], completions: ChatCompletion[]): Promise<void>; stop(): void }

async function startFakes(config: Omit<FakesConfig, "nowSeconds">): Promise<Child> {
  const proc = fork(path.join(__dirname, "fakesProcess.js"), [], { execArgv: ["--max-old-space-size=8192"], env: { ...process.env, BENCH_FAKES: JSON.stringify({ ...config, nowSeconds: NOW_S }) } });
  const ready = await new Promise<{ openaiUrl: string; ingestionUrl: string; tableUrl: string; ca: string }>((resolve, reject) => {
    proc.once("error", reject);
    proc.on("message", (m: { cmd: string }) => { if (m.cmd === "ready") resolve(m as never); });
  });
  return {
    proc, ...ready,
    stats: () => new Promise((resolve) => {
      const onMessage = (m: { cmd: string; stats: FakesStats }) => { if (m.cmd === "stats") { proc.off("message", onMessage); resolve(m.stats); } };
      proc.on("message", onMessage);
      proc.send({ cmd: "stats" });
    }),
    add: (audit, completions) => new Promise((resolve) => {
      const onMessage = (m: { cmd: string }) => { if (m.cmd === "added") { proc.off("message", onMessage); resolve(); } };
      proc.on("message", onMessage);
      proc.send({ cmd: "add", audit, completions });
    }),
    stop: () => proc.kill(),
  };
}

function sampler() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
  const cpu0 = process.cpuUsage();
  return { done: () => { clearInterval(timer); const cpu = process.cpuUsage(cpu0); return { peakRssMb: Math.max(peak, process.memoryUsage().rss) / 2 ** 20, cpuMs: (cpu.user + cpu.system) / 1000 }; } };
}

const startTime = new Date((NOW_S - 31 * 86_400) * 1000).toISOString();

/** A backfill through the connector: collectors created, timed until every id was accepted. `pageProgress: false` runs it without page-progress records. */
async function backfill(name: string, opts: { audit: number; completions: number; parallelism: number; rateCap: number | null; clientLimit?: number; pageProgress?: boolean }) {
  const fakes = await startFakes({ audit: opts.audit, completions: opts.completions, latencyMs: LATENCY_MS, rateLimitPerSecond: opts.rateCap, spanDays: 30 });
  box.clock = new RealClock();
  box.settings = { ...box.settings, parallelism: opts.parallelism };
  box.pageProgress = opts.pageProgress ?? true;
  box.deps = clientsFor(fakes.openaiUrl, fakes.ingestionUrl, fakes.tableUrl, fakes.ca, box.clock, opts.clientLimit);
  const connector = await startConnector(box.clock);
  const before = await fakes.stats();
  const sample = sampler();
  const t0 = Date.now();
  const finished: Record<string, number> = {};
  if (opts.audit > 0) await connector.api("PUT", "collectors/bench-audit", { dataType: "auditLogs", friendlyName: "bench", apiKeySecretName: "openai-admin-key", startTime });
  if (opts.completions > 0) await connector.api("PUT", "collectors/bench-chat", { dataType: "chatCompletions", friendlyName: "bench", apiKeySecretName: "openai-project-key", startTime });
  let stats = before;
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    stats = await fakes.stats();
    const elapsed = (Date.now() - t0) / 1000;
    if (!finished.audit && (stats.unique[AUDIT_LOGS_STREAM] ?? 0) >= opts.audit) finished.audit = elapsed;
    if (!finished.chat && (stats.unique[CHAT_COMPLETIONS_STREAM] ?? 0) >= opts.completions) finished.chat = elapsed;
    if (finished.audit !== undefined && finished.chat !== undefined) break;
    if (elapsed > 3_600) throw new Error(`${name}: not finished after an hour`);
  }
  const seconds = (Date.now() - t0) / 1000;
  const { peakRssMb, cpuMs } = sample.done();
  const host = connector.host.stats;
  await connector.stop();
  fakes.stop();
  box.pageProgress = true;
  const pages = (stats.openaiOk["/v1/organization/audit_logs"] ?? 0) + (stats.openaiOk["/v1/chat/completions"] ?? 0);
  const rows = opts.audit + opts.completions;
  const result = {
    name, ...opts, latencyMs: LATENCY_MS, seconds, auditSeconds: finished.audit ?? 0, chatSeconds: finished.chat ?? 0,
    eventsPerSecond: rows / seconds, auditPerSecond: opts.audit / (finished.audit || 1), chatPerSecond: opts.completions / (finished.chat || 1),
    pages, pagesPerSecond: pages / seconds, throttled: stats.throttled - before.throttled,
    duplicates: Object.values(stats.duplicates).reduce((a, b) => a + b, 0),
    peakRssMb, cpuSecondsPer100k: cpuMs / 1000 / (rows / 100_000), fakesCpuSeconds: (stats.cpuMs - before.cpuMs) / 1000, fakesRssMb: stats.rssMb,
    generations: host.generations, historyBytesPerGeneration: host.historyBytes / Math.max(1, host.generations), maxGenerationBytes: host.maxGenerationBytes,
    maxGenerationEvents: host.maxGenerationEvents, historyBytesPerPage: host.historyBytes / Math.max(1, pages), entityOperations: host.entityOperations,
    ingestionRequests: stats.ingestion.requests - before.ingestion.requests, ingestionBytesCompressed: stats.ingestion.bytesCompressed - before.ingestion.bytesCompressed,
    ingestionBytesUncompressed: stats.ingestion.bytesUncompressed - before.ingestion.bytesUncompressed,
  };
  console.log(`${name}: ${rows.toLocaleString("en-US")} rows in ${seconds.toFixed(1)} s = ${result.eventsPerSecond.toFixed(0)}/s (audit ${result.auditPerSecond.toFixed(0)}/s, chat ${result.chatPerSecond.toFixed(0)}/s), ${result.pagesPerSecond.toFixed(1)} pages/s, peak RSS ${peakRssMb.toFixed(0)} MB, ${result.historyBytesPerPage.toFixed(0)} B history/page, ${host.entityOperations.toLocaleString("en-US")} entity operations, ${result.duplicates} duplicates`);
  return result;
}

/** The baseline a user would write: SDK auto-pagination, upload per 100 rows, one request at a time. */
async function baseline(kind: "audit" | "chat", count: number, maxSeconds: number) {
  const fakes = await startFakes({ audit: kind === "audit" ? count : 0, completions: kind === "chat" ? count : 0, latencyMs: LATENCY_MS, rateLimitPerSecond: null, spanDays: 30 });
  const client = new OpenAI({ apiKey: KEYS.project, adminAPIKey: KEYS.admin, baseURL: fakes.openaiUrl, maxRetries: 2 });
  const ingestion = new LogsIngestionClient(fakes.ingestionUrl, localCredential(), { tlsOptions: { ca: fakes.ca } });
  const origin = { connectorName: "baseline", collectorId: "baseline", collectedAt: new Date().toISOString() };
  const t0 = Date.now();
  let rows = 0;
  let batch: Array<Record<string, unknown>> = [];
  const stream = kind === "audit" ? AUDIT_LOGS_STREAM : CHAT_COMPLETIONS_STREAM;
  const flush = async () => { await ingestion.upload(LOCAL_DCR_ID, stream, batch); rows += batch.length; batch = []; };
  const items = kind === "audit"
    ? client.admin.organization.auditLogs.list({ effective_at: { gte: NOW_S - 31 * 86_400, lt: NOW_S }, limit: 100 })
    : client.chat.completions.list({ order: "asc", limit: 100 });
  for await (const item of items as AsyncIterable<Record<string, unknown>>) {
    batch.push(kind === "audit" ? toAuditLogRow(item as AuditLogEvent, origin) : toChatCompletionRow(item as ChatCompletion, origin));
    if (batch.length === 100) await flush();
    if ((Date.now() - t0) / 1000 > maxSeconds) break;
  }
  if (batch.length > 0) await flush();
  const seconds = (Date.now() - t0) / 1000;
  fakes.stop();
  console.log(`baseline ${kind}: ${rows.toLocaleString("en-US")} rows in ${seconds.toFixed(1)} s = ${(rows / seconds).toFixed(0)}/s`);
  return { kind, rows, seconds, eventsPerSecond: rows / seconds };
}

/** Steady state on a virtual clock: events arrive at a fixed rate for an hour; lag from visibility to acceptance. */
async function steadyState(pollIntervalSeconds: number) {
  const clock = new VirtualClock(NOW_S * 1000);
  box.clock = clock;
  box.settings = { ...box.settings, parallelism: 4 };
  const visibleAt = new Map<string, number>();
  const lags: Record<string, number[]> = { [AUDIT_LOGS_STREAM]: [], [CHAT_COMPLETIONS_STREAM]: [] };
  const env = await startFakeEnvironment({
    mock: { adminKey: KEYS.admin, projectKey: KEYS.project, now: () => clock.now() }, secrets: { "openai-admin-key": KEYS.admin, "openai-project-key": KEYS.project }, now: () => clock.now(),
    fastRetries: true,
    onRows: (stream, rows) => { if (stream in lags) for (const r of rows) lags[stream]!.push((clock.now() - visibleAt.get(r.Id as string)!) / 1000); },
  });
  box.deps = env.deps;
  // 4 audit events/s and 2 completions/s for one hour, each visible 0–5 s after its time.
  for (let minute = 0; minute < 60; minute++) {
    const from = NOW_S + minute * 60;
    for (const e of generateAuditEvents(240, from, from + 60, 50_000 + minute)) { visibleAt.set(e.id, (e.effective_at + (minute % 6)) * 1000); env.openai.addAuditEvents([e], visibleAt.get(e.id)); }
    for (const c of generateCompletions(120, from, from + 60, 60_000 + minute)) { visibleAt.set(c.id, (c.created + 1) * 1000); env.openai.addCompletions([c], visibleAt.get(c.id)); }
  }
  const connector = await startConnector(clock);
  await connector.api("PUT", "collectors/steady-audit", { dataType: "auditLogs", friendlyName: "steady", apiKeySecretName: "openai-admin-key", startTime: new Date(NOW_S * 1000).toISOString(), pollIntervalSeconds });
  await connector.api("PUT", "collectors/steady-chat", { dataType: "chatCompletions", friendlyName: "steady", apiKeySecretName: "openai-project-key", startTime: new Date(NOW_S * 1000).toISOString(), pollIntervalSeconds });
  const end = clock.now() + 70 * 60_000;
  for (;;) {
    await connector.host.idle();
    const next = clock.nextTimerAt();
    if (next === undefined || next > end) break;
    clock.advanceTo(next);
  }
  await connector.stop();
  await env.stop();
  const pct = (values: number[], p: number) => { const s = [...values].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN; };
  const result = {
    pollIntervalSeconds,
    audit: { rows: lags[AUDIT_LOGS_STREAM]!.length, medianLagSeconds: pct(lags[AUDIT_LOGS_STREAM]!, 50), p99LagSeconds: pct(lags[AUDIT_LOGS_STREAM]!, 99) },
    chat: { rows: lags[CHAT_COMPLETIONS_STREAM]!.length, medianLagSeconds: pct(lags[CHAT_COMPLETIONS_STREAM]!, 50), p99LagSeconds: pct(lags[CHAT_COMPLETIONS_STREAM]!, 99) },
  };
  console.log(`steady state, poll ${pollIntervalSeconds} s: audit lag median ${result.audit.medianLagSeconds.toFixed(0)} s, p99 ${result.audit.p99LagSeconds.toFixed(0)} s (${result.audit.rows} rows); chat median ${result.chat.medianLagSeconds.toFixed(0)} s, p99 ${result.chat.p99LagSeconds.toFixed(0)} s (${result.chat.rows} rows)`);
  return result;
}

/** The soak scenarios (issue 18) on this harness: the embedded host as npm start runs it. */
function soakHarness(): SoakHarness {
  return {
    startFakes: () => startFakes({ audit: 0, completions: 0, latencyMs: 0, rateLimitPerSecond: null, spanDays: 1 }),
    useFakes: (fakes, clock) => {
      const child = fakes as Child;
      box.clock = clock;
      box.settings = { ...box.settings, parallelism: 4 };
      box.deps = clientsFor(child.openaiUrl, child.ingestionUrl, child.tableUrl, child.ca, clock);
    },
    startConnector: (clock, onChange, options = {}) => startConnector(clock, { activityConcurrency: 8, onChange, ...options }),
    openaiOf: (fakes) => ({ baseUrl: (fakes as Child).openaiUrl, adminKey: KEYS.admin, projectKey: KEYS.project }),
    newClock: (startMs) => new VirtualClock(startMs),
  };
}

/** The busy steady state on a virtual clock: quick runs 30 simulated minutes, the full run 2 hours. */
function busy() {
  const clock = new VirtualClock(NOW_S * 1000);
  box.clock = clock;
  box.settings = { ...box.settings, parallelism: 4 };
  const harness: BusyHarness = { clock, keys: KEYS, use: (env) => { box.deps = env.deps; }, startConnector: () => startConnector(clock) };
  return busySteadyState(harness, QUICK ? 30 : 120, NOW_S);
}

async function main(): Promise<void> {
  if (args.has("--idle-probe")) {
    // One idle-cost measurement per data type at `--collectors` (default 100) over `--polls` polls (default 6), SQLite store only: for profiling the idle path.
    // `--cpu-profile DIR` writes the measured window's V8 CPU profile to DIR/idle-<type>.cpuprofile.
    const n = argv.includes("--collectors") ? Number(argv[argv.indexOf("--collectors") + 1]) : 100;
    const polls = argv.includes("--polls") ? Number(argv[argv.indexOf("--polls") + 1]) : 6;
    const profileDir = argv.includes("--cpu-profile") ? argv[argv.indexOf("--cpu-profile") + 1] : undefined;
    if (profileDir !== undefined) fs.mkdirSync(profileDir, { recursive: true });
    for (const mix of ["auditLogs", "chatCompletions"] as const) {
      await idleCost(soakHarness(), n, mix, "sqlite", { pollIntervalSeconds: 300, warmUpPolls: 3, measurePolls: polls, ...(profileDir === undefined ? {} : { cpuProfileFile: path.join(profileDir, `idle-${mix}.cpuprofile`) }) });
      // `--floor N` adds the floor of an idle poll (scripts/bench/idleFloor.ts) over N rounds.
      if (argv.includes("--floor")) await idleFloor(soakHarness(), mix, Number(argv[argv.indexOf("--floor") + 1]));
    }
    process.exit(0);
  }
  if (args.has("--soak-child")) {
    // The soak group's own process (see below): its memory figures start from a fresh heap.
    const flag = (name: string) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : undefined);
    const soak = await runSoak(soakHarness(), QUICK, { collectors: flag("--collectors"), hours: flag("--hours"), skipIdle: args.has("--day-only") });
    fs.mkdirSync(".bench", { recursive: true });
    fs.writeFileSync(".bench/soak.json", JSON.stringify(soak, null, 2));
    console.log(renderSoak(soak).markdown);
    process.exit(0);
  }
  if (ONLY && [...ONLY].some((g) => !(GROUPS as readonly string[]).includes(g))) throw new Error(`--only takes a comma-separated list of ${GROUPS.join(", ")}`);
  const fullAudit = scale(500_000), fullChat = scale(100_000);
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? "unknown", memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.type()} ${os.release()}` };
  console.log(`machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GiB, Node ${machine.node}; page latency ${LATENCY_MS} ms${QUICK ? " (quick: 1/10 of the data)" : ""}${ONLY ? ` (only ${[...ONLY].join(", ")})` : ""}`);
  const partial: Partial<BenchResults> = { date: new Date().toISOString(), machine, latencyMs: LATENCY_MS, rateCap: RATE_CAP, quick: QUICK };
  // Every finished group is saved at once, so a run that fails late still shows (and keeps) what it measured.
  const resultsFile = ONLY ? `.bench/results-${[...ONLY].join("-")}.json` : ".bench/results.json";
  const checkpoint = () => {
    fs.mkdirSync(".bench", { recursive: true });
    fs.writeFileSync(resultsFile, JSON.stringify(partial, null, 2));
  };
  if (runs("backfill")) {
    // Page-progress records on and off, interleaved so drift on the machine shows per pair, in the order on-off, off-on, on-off … so
    // neither side always runs first (the process's first backfill is the slowest); the first records-on run is the uncapped row.
    if (!Number.isInteger(PAIRS) || PAIRS < 1) throw new Error("--pairs takes a whole number of at least 1");
    const uncapped = { audit: fullAudit, completions: fullChat, parallelism: 8, rateCap: null };
    // The process's first backfill runs cold (JIT, connection pools, SQLite pages): 12 % slower in a run of 2026-12-02. Its figures are not reported.
    await backfill("warm-up backfill (not reported)", { audit: scale(50_000), completions: scale(10_000), parallelism: 8, rateCap: null });
    const pairs: Array<{ on: BackfillResult; off: BackfillResult }> = [];
    for (let i = 0; i < PAIRS; i++) {
      const runOn = () => backfill("uncapped backfill, fan-out 8", uncapped);
      const runOff = () => backfill("uncapped backfill, fan-out 8, page-progress records off", { ...uncapped, pageProgress: false });
      if (i % 2 === 0) { const on = await runOn(); pairs.push({ on, off: await runOff() }); }
      else { const off = await runOff(); pairs.push({ on: await runOn(), off }); }
    }
    partial.uncapped = pairs[0]!.on;
    partial.pageProgress = compareProgress(pairs);
    for (const line of progressCostLines(partial.pageProgress)) console.log(line);
    partial.small = await backfill("uncapped backfill of 1/10 the audit events, fan-out 8", { audit: Math.ceil(fullAudit / 10), completions: 0, parallelism: 8, rateCap: null });
  }
  checkpoint();
  if (runs("capped")) {
    partial.capped = await backfill(`backfill capped at ${RATE_CAP} requests/s, OPENAI_MAX_REQUESTS_PER_SECOND=${RATE_CAP}`, { audit: scale(50_000), completions: scale(10_000), parallelism: 8, rateCap: RATE_CAP, clientLimit: RATE_CAP });
    partial.cappedNoClientLimit = await backfill(`backfill capped at ${RATE_CAP} requests/s, no client-side limit`, { audit: scale(50_000), completions: scale(10_000), parallelism: 8, rateCap: RATE_CAP });
  }
  checkpoint();
  if (runs("baseline")) partial.baseline = { audit: await baseline("audit", fullAudit, QUICK ? 20 : 60), chat: await baseline("chat", fullChat, QUICK ? 10 : 30) };
  checkpoint();
  if (runs("fanout")) {
    partial.fanOut = [];
    for (const width of [1, 2, 4, 8, 16]) partial.fanOut.push(await backfill(`fan-out ${width}`, { audit: scale(30_000), completions: 0, parallelism: width, rateCap: null }));
  }
  checkpoint();
  if (runs("chat")) {
    // Stored completions alone: 100,000 over 30 days, four models, against the one-page-at-a-time bound.
    partial.chat = await backfill("stored-completions backfill, 8 segments at once", { audit: 0, completions: fullChat, parallelism: 8, rateCap: null });
    partial.chatSweeps = [];
    for (const width of [1, 2, 4, 8, 16]) partial.chatSweeps.push(await backfill(`chat, ${width} segment${width > 1 ? "s" : ""} at once`, { audit: 0, completions: scale(30_000), parallelism: width, rateCap: null }));
  }
  checkpoint();
  // Last: these keep their fakes in this process, which would inflate the RSS figures above.
  if (runs("steady")) partial.steady = [await steadyState(60), await steadyState(300)];
  if (runs("busy")) partial.busy = await busy();
  checkpoint();
  // The soak runs in its own process (fresh heap), so the fakes kept here do not touch its figures; last, as the longest.
  if (runs("soak")) {
    const passed = ["--quick", "--day-only"].filter((f) => args.has(f)).concat(...["--collectors", "--hours"].filter((f) => argv.includes(f)).map((f) => [f, argv[argv.indexOf(f) + 1]!]));
    // The soak child runs with the node flags `npm start` uses (src/local/heapLimit.ts).
    const soakRun = spawnSync(process.execPath, [...EMBEDDED_NODE_FLAGS, __filename, "--soak-child", ...passed], { stdio: "inherit" });
    if (soakRun.status !== 0) throw new Error(`soak benchmark failed (exit ${soakRun.status})`);
    partial.soak = JSON.parse(fs.readFileSync(".bench/soak.json", "utf8")) as SoakResults;
  }
  checkpoint();
  console.log(`wrote ${resultsFile}`);
  if (args.has("--write") && !ONLY) {
    const { markdown, svg, chatSvg } = renderReport(partial as BenchResults, `npm run bench${QUICK ? " -- --quick" : ""}`);
    fs.writeFileSync("BENCHMARKS.md", markdown);
    fs.mkdirSync("docs", { recursive: true });
    fs.writeFileSync("docs/throughput-vs-fanout.svg", svg);
    if (chatSvg) fs.writeFileSync("docs/chat-throughput-vs-sweeps.svg", chatSvg);
    console.log("wrote BENCHMARKS.md and the charts in docs/");
  }
  process.exit(0);
}

main().catch((error: unknown) => { console.error(error); process.exit(1); });
