/**
 * The embedded host over long runs on a virtual clock (issue 18, and the steady-state bullet of
 * issue 14): many collectors of both data types, as `npm start` runs them (activity concurrency 8,
 * no episode recording, state in SQLite), against the OpenAI mock and the Logs Ingestion fake in
 * the child process, so the memory, CPU and disk figures are the connector's own.
 *
 * - `idleCost`: N collectors with nothing to collect; per idle poll and collector: OpenAI
 *   requests, function executions (orchestrator episodes, entity operations, activities), CPU
 *   time, bytes handed to the state store and bytes written to disk — with the SQLite store and,
 *   side by side, the whole-file JSON store it replaced.
 * - `soakDay`: N collectors over a simulated day with arrivals in its middle half: RSS through the
 *   day (peak, after the first hour, at the end), idle cost in a quiet hour, rows delivered.
 *
 * All audit collectors read one organization and all chat collectors one project (the mock has
 * one of each), so every collector of a type ingests every arrival of that type.
 */
import fs from "node:fs";
import inspector from "node:inspector";
import os from "node:os";
import path from "node:path";
import { AUDIT_LOGS_STREAM, CHAT_COMPLETIONS_STREAM } from "../../src/config";
import type { VirtualClock } from "../../src/local/durable/clock";
import type { DurableHost } from "../../src/local/durable/host";
import type { HostChange } from "../../src/local/durable/store";
import { SqliteStore } from "../../src/local/durable/sqliteStore";
import type { DurableStore } from "../../src/local/durable/store";
import { generateAuditEvents, generateCompletions } from "../../src/local/fakes/generate";
import type { AuditLogEvent, ChatCompletion } from "../../src/openai/types";
import { COLLECTOR_ORCHESTRATOR } from "../../orchestrators/names";
import { OpenAIClient } from "../../src/openai/client";
import { cpuMsPerCall, lastWholeGeneration, nodeHttpGetJson, replayMsPerGeneration, type IdleFloor } from "./idleFloor";
import { JsonFileStore } from "./jsonFileStore";

/** What the benchmark harness (run.ts) lends the soak scenarios. */
export interface SoakHarness {
  /** Starts the fakes' child process with no data; `add` puts arrivals in the mock. */
  startFakes(): Promise<{ add(audit: AuditLogEvent[], completions: ChatCompletion[]): Promise<void>; stats(): Promise<{ openaiRequests: number; rowsByStream: Record<string, number> }>; stop(): void }>;
  /** Points the registered app at the fakes, on `clock`. */
  useFakes(fakes: unknown, clock: VirtualClock): void;
  /** Starts the embedded host on `clock` with persistence through `onChange` (and episodes kept when `recordEpisodes`). */
  startConnector(clock: VirtualClock, onChange: (urgent: boolean, change: HostChange) => void, options?: { recordEpisodes?: boolean }): Promise<{ host: DurableHost; api(method: string, path: string, body?: unknown): Promise<unknown>; stop(): Promise<void> }>;
  /** The OpenAI mock of `fakes` (base URL with `/v1`) and the keys it accepts. */
  openaiOf(fakes: unknown): { baseUrl: string; adminKey: string; projectKey: string };
  newClock(startMs: number): VirtualClock;
}

/** The data types of the collectors measured together. */
export type CollectorMix = "auditLogs" | "chatCompletions" | "both";

/** Per idle poll and collector. */
export interface IdleCost {
  collectors: number;
  dataType: CollectorMix;
  store: "sqlite" | "json";
  polls: number;
  requestsPerPoll: number;
  episodesPerPoll: number;
  entityOperationsPerPoll: number;
  activitiesPerPoll: number;
  executionsPerPoll: number;
  cpuMsPerPoll: number;
  /** The system (kernel) part of cpuMsPerPoll: sockets to the fakes, disk writes. */
  cpuSystemMsPerPoll: number;
  storeBytesPerPoll: number;
  diskWriteBytesPerPoll: number | null;
  stateBytes: number;
  peakRssMb: number;
}

/** A simulated day. */
export interface SoakDay {
  collectors: number;
  hours: number;
  pollIntervalSeconds: number;
  arrivals: { audit: number; completions: number };
  rowsExpected: number;
  rowsDelivered: number;
  peakRssMb: number;
  rssAfterFirstHourMb: number;
  rssEndMb: number;
  heapAfterFirstHourMb: number;
  heapEndMb: number;
  rssByHour: number[];
  quietHour: IdleCost;
  storeFileBytes: number;
  storeWalBytes: number;
  realSeconds: number;
}

/** The least an idle poll can cost on this stack, per data type (scripts/bench/idleFloor.ts). */
export interface IdleFloorResult extends IdleFloor {
  dataType: "auditLogs" | "chatCompletions";
  requestsPerPoll: number;
  /** replayMsPerPoll + requestsPerPoll × clientMsPerRequest. */
  floorMsPerPoll: number;
}

/** Results of the soak scenarios. */
export interface SoakResults {
  quick: boolean;
  idle: IdleCost[];
  floor: IdleFloorResult[];
  day: SoakDay;
}

const START_S = Math.floor(Date.parse("2026-11-02T00:00:00Z") / 1000);
const MB = 2 ** 20;

/** Bytes this process has caused to be written to storage (`write_bytes` of /proc/self/io), or null. */
function diskWriteBytes(): number | null {
  try {
    const match = /write_bytes: (\d+)/.exec(fs.readFileSync("/proc/self/io", "utf8"));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Starts the V8 CPU profiler in this process (node:inspector); `stop` returns the profile in the
 * `.cpuprofile` format (Chrome DevTools, speedscope). Sampling every 100 µs costs CPU of its own (not
 * measured), so figures taken with it on are for shares, not for comparison with the published ones.
 */
async function startProfiler(): Promise<{ stop(): Promise<unknown> }> {
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) => new Promise<unknown>((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: 100 });
  await post("Profiler.start");
  return { stop: async () => { const { profile } = (await post("Profiler.stop")) as { profile: unknown }; session.disconnect(); return profile; } };
}

function rssSampler() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
  return { peak: () => Math.max(peak, process.memoryUsage().rss) / MB, stop: () => clearInterval(timer) };
}

/** One running scenario: fakes, host, store, and a loop that moves the virtual clock. */
async function setUp(harness: SoakHarness, storeKind: "sqlite" | "json" | "none", recordEpisodes = false) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "soak-"));
  const clock = harness.newClock(START_S * 1000);
  const fakes = await harness.startFakes();
  harness.useFakes(fakes, clock);
  const box: { store: DurableStore | undefined; host: DurableHost | undefined } = { store: undefined, host: undefined };
  const attach = (kind: "sqlite" | "json") => {
    const host = box.host!;
    box.store = kind === "sqlite"
      ? SqliteStore.open(path.join(dir, "durable-state.db"), { instance: (id) => host.instances.get(id), entity: (id) => host.entities.get(id) }, { writeIntervalMs: 3_600_000 })
      : new JsonFileStore(path.join(dir, "durable-state.json"), () => host.snapshot(), 3_600_000);
    // A store attached to a running host starts from everything it holds.
    for (const id of host.instances.keys()) box.store.changed({ instanceId: id }, false);
    for (const id of host.entities.keys()) box.store.changed({ entityId: id }, false);
    box.store.flush();
  };
  const connector = await harness.startConnector(clock, (urgent, change) => box.store?.changed(change, urgent), { recordEpisodes });
  box.host = connector.host;
  if (storeKind !== "none") attach(storeKind);
  /**
   * Moves the clock to `untilMs`, timer by timer. After each instant's work the store writes what
   * changed, as the live host's short write interval does between bursts.
   */
  const runTo = async (untilMs: number, each?: (now: number) => Promise<void>) => {
    for (;;) {
      await connector.host.idle();
      box.store?.flush();
      const next = clock.nextTimerAt();
      if (next === undefined || next > untilMs) break;
      clock.advanceTo(next);
      await each?.(next);
    }
    clock.advanceTo(untilMs);
    await connector.host.idle();
    box.store?.flush();
  };
  const create = async (collectors: number, pollIntervalSeconds: number, startTime: string, mix: CollectorMix) => {
    // Spread over one poll interval, as collectors created over time would be.
    for (let i = 0; i < collectors; i++) {
      const audit = mix === "both" ? i % 2 === 0 : mix === "auditLogs";
      await connector.api("PUT", `collectors/soak-${i}`, { dataType: audit ? "auditLogs" : "chatCompletions", friendlyName: `soak ${i}`, apiKeySecretName: audit ? "openai-admin-key" : "openai-project-key", startTime, pollIntervalSeconds });
      await runTo(clock.now() + Math.floor((pollIntervalSeconds * 1000) / collectors));
    }
  };
  /** Measures everything per poll over `ms` of virtual time. */
  const measure = async (collectors: number, mix: CollectorMix, ms: number, kind: IdleCost["store"]): Promise<IdleCost> => {
    const none = { payloadBytes: 0 };
    const h0 = { ...connector.host.stats }, s0 = box.store?.stats ?? none, f0 = await fakes.stats(), d0 = diskWriteBytes(), sampler = rssSampler();
    const cpu0 = process.cpuUsage();
    await runTo(clock.now() + ms);
    const cpu = process.cpuUsage(cpu0);
    const h1 = connector.host.stats, s1 = box.store?.stats ?? none, f1 = await fakes.stats(), d1 = diskWriteBytes();
    sampler.stop();
    const polls = Math.max(1, h1.generations - h0.generations);
    const per = (x: number) => x / polls;
    const episodes = h1.episodes - h0.episodes, entityOps = h1.entityOperations - h0.entityOperations, activities = h1.activities - h0.activities;
    return {
      collectors, dataType: mix, store: kind, polls,
      requestsPerPoll: per(f1.openaiRequests - f0.openaiRequests),
      episodesPerPoll: per(episodes), entityOperationsPerPoll: per(entityOps), activitiesPerPoll: per(activities), executionsPerPoll: per(episodes + entityOps + activities),
      cpuMsPerPoll: per((cpu.user + cpu.system) / 1000), cpuSystemMsPerPoll: per(cpu.system / 1000),
      storeBytesPerPoll: per(s1.payloadBytes - s0.payloadBytes),
      diskWriteBytesPerPoll: d0 === null || d1 === null ? null : per(d1 - d0),
      stateBytes: Buffer.byteLength(JSON.stringify(connector.host.snapshot())),
      peakRssMb: sampler.peak(),
    };
  };
  const tearDown = async () => {
    await connector.stop();
    box.store?.close();
    fakes.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { clock, fakes, connector, box, attach, runTo, create, measure, tearDown, dir };
}

/**
 * Idle cost of `collectors` collectors with `store`: created with nothing to collect, warmed up
 * for `warmUpPolls` polls, then measured over `measurePolls` polls of each collector.
 */
export async function idleCost(harness: SoakHarness, collectors: number, mix: CollectorMix, store: "sqlite" | "json", options: { pollIntervalSeconds: number; warmUpPolls: number; measurePolls: number; cpuProfileFile?: string }): Promise<IdleCost> {
  // The JSON baseline rewrites the whole state on every change: attach it only for the measurement.
  const run = await setUp(harness, store === "sqlite" ? "sqlite" : "none");
  try {
    await run.create(collectors, options.pollIntervalSeconds, new Date(START_S * 1000).toISOString(), mix);
    await run.runTo(run.clock.now() + options.warmUpPolls * options.pollIntervalSeconds * 1000);
    if (store === "json") run.attach("json");
    const profiler = options.cpuProfileFile === undefined ? undefined : await startProfiler();
    const result = await run.measure(collectors, mix, options.measurePolls * options.pollIntervalSeconds * 1000, store);
    if (profiler && options.cpuProfileFile) fs.writeFileSync(options.cpuProfileFile, JSON.stringify(await profiler.stop()));
    console.log(`idle, ${collectors} ${mix} collector(s), ${store} store: ${result.requestsPerPoll.toFixed(2)} OpenAI requests, ${result.executionsPerPoll.toFixed(2)} executions (${result.episodesPerPoll.toFixed(2)} episodes, ${result.entityOperationsPerPoll.toFixed(2)} entity ops, ${result.activitiesPerPoll.toFixed(2)} activities), ${result.cpuMsPerPoll.toFixed(2)} ms CPU (${result.cpuSystemMsPerPoll.toFixed(2)} system), ${(result.storeBytesPerPoll / 1024).toFixed(1)} KB to the store, ${result.diskWriteBytesPerPoll === null ? "-" : (result.diskWriteBytesPerPoll / 1024).toFixed(1)} KB to disk per poll per collector (${result.polls} polls)`);
    return result;
  } finally {
    await run.tearDown();
  }
}

/**
 * The floor of one idle poll of a `dataType` collector ({@link IdleFloor}): one collector on the
 * embedded host with episodes recorded, polled idle until two whole generations are on record;
 * its last whole generation replayed `rounds` times; then `rounds` empty-page requests through
 * the connector's client and through node:http, per scope the collector reads.
 */
export async function idleFloor(harness: SoakHarness, dataType: IdleFloorResult["dataType"], rounds: number): Promise<IdleFloorResult> {
  const run = await setUp(harness, "none", true);
  try {
    const poll = 300;
    await run.create(1, poll, new Date(START_S * 1000).toISOString(), dataType);
    await run.runTo(run.clock.now() + 4 * poll * 1000);
    // The one collector's orchestration instance.
    const instanceId = run.connector.host.episodes.find((e) => e.name === COLLECTOR_ORCHESTRATOR)?.instanceId ?? "none";
    const generation = lastWholeGeneration(run.connector.host.episodes, instanceId);
    const replayMsPerPoll = await replayMsPerGeneration(generation, rounds);
    const mock = harness.openaiOf(run.fakes);
    const client = new OpenAIClient({ baseUrl: mock.baseUrl });
    const gte = START_S - 3_600, lt = START_S;
    // An idle audit poll lists the organization's and the tenant's events (one request each); a chat poll one page, newest first.
    const viaClient = dataType === "auditLogs"
      ? () => client.listAuditLogs(mock.adminKey, { gte, lt })
      : () => client.listChatCompletions(mock.projectKey, { order: "desc" });
    const viaNode = dataType === "auditLogs"
      ? nodeHttpGetJson(`${mock.baseUrl}/organization/audit_logs?effective_at[gte]=${gte}&effective_at[lt]=${lt}&limit=100`, mock.adminKey)
      : nodeHttpGetJson(`${mock.baseUrl}/chat/completions?order=desc&limit=100`, mock.projectKey);
    const clientMsPerRequest = await cpuMsPerCall(viaClient, rounds);
    const nodeHttpMsPerRequest = await cpuMsPerCall(viaNode, rounds);
    const requestsPerPoll = dataType === "auditLogs" ? 2 : 1;
    const result: IdleFloorResult = {
      dataType, episodesPerPoll: generation.length, replayMsPerPoll, requestsPerPoll, clientMsPerRequest, nodeHttpMsPerRequest,
      floorMsPerPoll: replayMsPerPoll + requestsPerPoll * clientMsPerRequest,
    };
    console.log(`idle floor, ${dataType}: replaying ${result.episodesPerPoll} episodes ${replayMsPerPoll.toFixed(2)} ms; ${requestsPerPoll} request(s) × ${clientMsPerRequest.toFixed(2)} ms through the client (node:http ${nodeHttpMsPerRequest.toFixed(2)} ms); together ${result.floorMsPerPoll.toFixed(2)} ms CPU per poll (${rounds} rounds)`);
    return result;
  } finally {
    await run.tearDown();
  }
}

/**
 * A simulated day of `collectors` collectors (half audit, half chat), with arrivals through its
 * middle half (`auditPerMinute` events and `completionsPerMinute` completions a minute, for the
 * whole organization / project) and quiet quarters before and after.
 */
export async function soakDay(harness: SoakHarness, collectors: number, options: { hours: number; pollIntervalSeconds: number; auditPerMinute: number; completionsPerMinute: number }): Promise<SoakDay> {
  const t0 = Date.now();
  const run = await setUp(harness, "sqlite");
  const sampler = rssSampler();
  try {
    const hourMs = 3_600_000;
    const startMs = START_S * 1000;
    const busyFrom = startMs + (options.hours / 4) * hourMs, busyTo = startMs + ((3 * options.hours) / 4) * hourMs;
    let auditTotal = 0, chatTotal = 0, minute = 0;
    // One hour of history before the start, so each collector begins with a short backfill.
    const history = { audit: generateAuditEvents(60 * options.auditPerMinute, START_S - 3_600, START_S - 1, 77), chat: generateCompletions(60 * options.completionsPerMinute, START_S - 3_600, START_S - 1, 78) };
    await run.fakes.add(history.audit, history.chat);
    auditTotal += history.audit.length;
    chatTotal += history.chat.length;
    const arrive = async (now: number) => {
      // Each minute of the busy half, that minute's events become visible when it ends.
      while (startMs + (minute + 1) * 60_000 <= Math.min(now, busyTo)) {
        const from = START_S + minute * 60;
        minute++;
        if (from * 1000 < busyFrom) continue;
        const audit = generateAuditEvents(options.auditPerMinute, from, from + 60, 100_000 + minute), chat = generateCompletions(options.completionsPerMinute, from, from + 60, 200_000 + minute);
        await run.fakes.add(audit, chat);
        auditTotal += audit.length;
        chatTotal += chat.length;
      }
    };
    // The fakes get arrivals every virtual minute: a timer-free tick keeps the loop visiting each minute.
    const tick = async (until: number) => {
      for (let at = run.clock.now() + 60_000; at <= until; at += 60_000) {
        await run.runTo(at);
        await arrive(at);
      }
      await run.runTo(until);
    };
    await run.create(collectors, options.pollIntervalSeconds, new Date((START_S - 3_600) * 1000).toISOString(), "both");
    await tick(startMs + hourMs);
    const rssByHour = [process.memoryUsage().rss / MB];
    const afterFirstHour = { rss: process.memoryUsage().rss / MB, heap: process.memoryUsage().heapUsed / MB };
    // The quiet hour measured is the last one before arrivals start (the second when the day is short).
    const quietStart = Math.max(startMs + hourMs, busyFrom - hourMs);
    await tick(quietStart);
    const quietHour = await run.measure(collectors, "both", Math.min(hourMs, busyFrom - quietStart), "sqlite");
    for (let hour = Math.ceil((run.clock.now() - startMs) / hourMs); hour <= options.hours; hour++) {
      await tick(startMs + hour * hourMs);
      rssByHour.push(process.memoryUsage().rss / MB);
    }
    const byStream = (await run.fakes.stats()).rowsByStream;
    const delivered = (byStream[AUDIT_LOGS_STREAM] ?? 0) + (byStream[CHAT_COMPLETIONS_STREAM] ?? 0);
    const footprint = (run.box.store as SqliteStore).footprint();
    const result: SoakDay = {
      collectors, hours: options.hours, pollIntervalSeconds: options.pollIntervalSeconds, arrivals: { audit: auditTotal, completions: chatTotal },
      rowsExpected: Math.ceil(collectors / 2) * auditTotal + Math.floor(collectors / 2) * chatTotal, rowsDelivered: delivered,
      peakRssMb: sampler.peak(), rssAfterFirstHourMb: afterFirstHour.rss, rssEndMb: process.memoryUsage().rss / MB,
      heapAfterFirstHourMb: afterFirstHour.heap, heapEndMb: process.memoryUsage().heapUsed / MB, rssByHour,
      quietHour, storeFileBytes: footprint.pages * footprint.pageSize, storeWalBytes: footprint.walBytes, realSeconds: (Date.now() - t0) / 1000,
    };
    console.log(`soak, ${collectors} collectors, ${options.hours} h: peak RSS ${result.peakRssMb.toFixed(0)} MB, ${result.rssAfterFirstHourMb.toFixed(0)} MB after the first hour, ${result.rssEndMb.toFixed(0)} MB at the end; quiet hour ${quietHour.cpuMsPerPoll.toFixed(2)} ms CPU per poll per collector; ${result.rowsDelivered.toLocaleString("en-US")} of ${result.rowsExpected.toLocaleString("en-US")} rows; state ${(result.storeFileBytes / MB).toFixed(1)} MB (+${(result.storeWalBytes / MB).toFixed(1)} MB WAL); ${result.realSeconds.toFixed(0)} s`);
    return result;
  } finally {
    sampler.stop();
    await run.tearDown();
  }
}

/**
 * The soak scenarios at full size (idle cost at 1, 100 and 500 collectors; 500 collectors for a
 * day) or quick (1, 10, 50; 50 collectors for 8 hours). `day` overrides the day's size, and
 * `skipIdle` runs the day alone (e.g. `--only soak --collectors 500 --hours 4 --day-only`).
 */
export async function runSoak(harness: SoakHarness, quick: boolean, day: { collectors?: number; hours?: number; skipIdle?: boolean } = {}): Promise<SoakResults> {
  const poll = 300;
  const idle: IdleCost[] = [];
  for (const mix of day.skipIdle ? [] : (["auditLogs", "chatCompletions"] as const)) {
    for (const n of quick ? [1, 10, 50] : [1, 100, 500]) {
      idle.push(await idleCost(harness, n, mix, "sqlite", { pollIntervalSeconds: poll, warmUpPolls: 3, measurePolls: quick ? 4 : 12 }));
      idle.push(await idleCost(harness, n, mix, "json", { pollIntervalSeconds: poll, warmUpPolls: 3, measurePolls: quick ? 2 : n >= 500 ? 2 : 6 }));
    }
  }
  const floor: IdleFloorResult[] = [];
  for (const dataType of day.skipIdle ? [] : (["auditLogs", "chatCompletions"] as const)) floor.push(await idleFloor(harness, dataType, quick ? 300 : 2_000));
  const result = await soakDay(harness, day.collectors ?? (quick ? 50 : 500), { hours: day.hours ?? (quick ? 8 : 24), pollIntervalSeconds: poll, auditPerMinute: 2, completionsPerMinute: 1 });
  return { quick, idle, floor, day: result };
}
