/**
 * Busy steady state (issue #16): 10 audit events/s in both scopes, 20 % of them listable 2–15
 * minutes after their effective_at, and stored completions of which 30 % become listable 30 s to
 * 10 minutes after `created`, polled every 5 minutes on a virtual clock through the embedded host
 * and the local fakes. Measures lag from visibility to acceptance (p50/p99), late events missed,
 * duplicates, the largest orchestration input and history per generation, and OpenAI requests per
 * poll (busy, and for an idle audit collector). `npm run bench -- --only busy [--quick]` runs it alone.
 */
import { eventTypeScope } from "../../src/audit/eventTypes";
import { AUDIT_LOGS_STREAM, CHAT_COMPLETIONS_STREAM } from "../../src/config";
import type { VirtualClock } from "../../src/local/durable/clock";
import type { DurableHost } from "../../src/local/durable/host";
import { startFakeEnvironment, type FakeEnvironment } from "../../src/local/fakeEnvironment";
import { generateAuditEvents, generateCompletions, seededRandom } from "../../src/local/fakes/generate";

/** What the scenario needs from the benchmark harness. */
export interface BusyHarness {
  readonly clock: VirtualClock;
  readonly keys: { readonly admin: string; readonly project: string };
  /** Points the registered connector at these fakes. */
  use(env: FakeEnvironment): void;
  startConnector(): Promise<{ host: DurableHost; api(method: string, path: string, body?: unknown): Promise<unknown>; stop(): Promise<void> }>;
}

/** Figures of one stream. */
export interface StreamFigures {
  readonly events: number;
  readonly late: number;
  readonly delivered: number;
  readonly lateMissed: number;
  readonly missed: number;
  readonly duplicates: number;
  readonly medianLagSeconds: number;
  readonly p99LagSeconds: number;
  readonly requestsPerPoll: number;
}

/** The scenario's results. */
export interface BusyResults {
  readonly minutes: number;
  readonly auditPerSecond: number;
  readonly chatPerSecond: number;
  readonly pollIntervalSeconds: number;
  readonly audit: StreamFigures & { readonly tenant: number };
  readonly chat: StreamFigures;
  /** The audit collector's largest continueAsNew input and history per generation (bytes). */
  readonly maxInputBytes: number;
  readonly maxGenerationBytes: number;
  readonly meanGenerationBytes: number;
  /** The same for the stored-completions collector. */
  readonly chatMaxInputBytes: number;
  readonly chatMaxGenerationBytes: number;
  readonly ledgerRequestsPerPoll: number;
  readonly idleAuditRequestsPerPoll: number;
}

const pct = (values: number[], p: number) => { const s = [...values].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN; };

async function runUntil(host: DurableHost, clock: VirtualClock, end: number): Promise<void> {
  for (;;) {
    await host.idle();
    const next = clock.nextTimerAt();
    if (next === undefined || next > end) break;
    clock.advanceTo(next);
  }
  clock.advanceTo(end);
  await host.idle();
}

/** Runs the busy steady state for `minutes` of arrivals (then 20 minutes more so the last late ones are visible). */
export async function busySteadyState(harness: BusyHarness, minutes: number, nowSeconds: number): Promise<BusyResults> {
  const { clock } = harness;
  const POLL = 300, AUDIT_RATE = 10, CHAT_RATE = 2;
  const visibleAt = new Map<string, number>();
  const arrivals = new Map<string, number>();
  const lags: Record<string, number[]> = { [AUDIT_LOGS_STREAM]: [], [CHAT_COMPLETIONS_STREAM]: [] };
  const env = await startFakeEnvironment({
    mock: { adminKey: harness.keys.admin, projectKey: harness.keys.project, now: () => clock.now() }, secrets: { "openai-admin-key": harness.keys.admin, "openai-project-key": harness.keys.project },
    now: () => clock.now(), fastRetries: true,
    onRows: (stream, rows) => { if (!(stream in lags)) return; for (const r of rows) { const id = r.Id as string; arrivals.set(id, (arrivals.get(id) ?? 0) + 1); lags[stream]!.push((clock.now() - visibleAt.get(id)!) / 1000); } },
  });
  harness.use(env);
  const served: Record<string, number> = {};
  env.openai.onServed = (r) => { served[r.path] = (served[r.path] ?? 0) + 1; };
  const random = seededRandom(16);
  const late = new Set<string>();
  const audit: string[] = [], chat: string[] = [];
  let tenant = 0;
  for (let minute = 0; minute < minutes; minute++) {
    const from = nowSeconds + minute * 60;
    for (const e of generateAuditEvents(AUDIT_RATE * 60, from, from + 60, 70_000 + minute)) {
      const isLate = random() < 0.2;
      visibleAt.set(e.id, (e.effective_at + (isLate ? 120 + random() * 780 : random() * 5)) * 1000);
      if (isLate) late.add(e.id);
      if (eventTypeScope(e.type) === "tenant") tenant++;
      env.openai.addAuditEvents([e], visibleAt.get(e.id));
      audit.push(e.id);
    }
    for (const c of generateCompletions(CHAT_RATE * 60, from, from + 60, 80_000 + minute)) {
      const isLate = random() < 0.3;
      visibleAt.set(c.id, (c.created + (isLate ? 30 + random() * 570 : 1)) * 1000);
      if (isLate) late.add(c.id);
      env.openai.addCompletions([c], visibleAt.get(c.id));
      chat.push(c.id);
    }
  }
  const connector = await harness.startConnector();
  const startIso = new Date(nowSeconds * 1000).toISOString();
  await connector.api("PUT", "collectors/busy-audit", { dataType: "auditLogs", friendlyName: "busy", apiKeySecretName: "openai-admin-key", startTime: startIso, pollIntervalSeconds: POLL });
  await connector.api("PUT", "collectors/busy-chat", { dataType: "chatCompletions", friendlyName: "busy", apiKeySecretName: "openai-project-key", startTime: startIso, pollIntervalSeconds: POLL });
  // Requests are counted from the second poll on (the first reads the backlog of one lag).
  await runUntil(connector.host, clock, clock.now() + 2 * POLL * 1000);
  const count = (path: string) => served[path] ?? 0;
  const ledgerRequests = () => env.tables.stats.queries + env.tables.stats.upserts + env.tables.stats.deletes;
  const before = { audit: count("/v1/organization/audit_logs"), chat: count("/v1/chat/completions"), ledger: ledgerRequests(), at: clock.now() };
  await runUntil(connector.host, clock, (nowSeconds + minutes * 60 + 20 * 60) * 1000);
  const polls = (clock.now() - before.at) / (POLL * 1000);
  const stats = connector.host.stats;
  const auditInstance = stats.byInstance["collector-busy-audit"] ?? { maxInputBytes: 0, maxGenerationBytes: 0, historyBytes: 0, generations: 0 };
  const chatInstance = stats.byInstance["collector-busy-chat"] ?? { maxInputBytes: 0, maxGenerationBytes: 0, historyBytes: 0, generations: 0 };
  await connector.stop();
  await env.stop();

  const figures = (ids: string[], stream: string, requests: number): StreamFigures => ({
    events: ids.length, late: ids.filter((id) => late.has(id)).length, delivered: ids.filter((id) => arrivals.has(id)).length,
    lateMissed: ids.filter((id) => late.has(id) && !arrivals.has(id)).length, missed: ids.filter((id) => !arrivals.has(id)).length,
    duplicates: ids.filter((id) => (arrivals.get(id) ?? 0) > 1).length,
    medianLagSeconds: pct(lags[stream]!, 50), p99LagSeconds: pct(lags[stream]!, 99), requestsPerPoll: requests / polls,
  });
  const idle = await idleAudit(harness);
  const results: BusyResults = {
    minutes, auditPerSecond: AUDIT_RATE, chatPerSecond: CHAT_RATE, pollIntervalSeconds: POLL,
    audit: { ...figures(audit, AUDIT_LOGS_STREAM, count("/v1/organization/audit_logs") - before.audit), tenant },
    chat: figures(chat, CHAT_COMPLETIONS_STREAM, count("/v1/chat/completions") - before.chat),
    maxInputBytes: auditInstance.maxInputBytes, maxGenerationBytes: auditInstance.maxGenerationBytes, meanGenerationBytes: auditInstance.historyBytes / Math.max(1, auditInstance.generations),
    chatMaxInputBytes: chatInstance.maxInputBytes, chatMaxGenerationBytes: chatInstance.maxGenerationBytes,
    ledgerRequestsPerPoll: (ledgerRequests() - before.ledger) / polls, idleAuditRequestsPerPoll: idle,
  };
  const f = (s: StreamFigures) => `lag p50 ${s.medianLagSeconds.toFixed(0)} s, p99 ${s.p99LagSeconds.toFixed(0)} s, late missed ${s.lateMissed} of ${s.late}, missed ${s.missed}, duplicates ${s.duplicates}, ${s.requestsPerPoll.toFixed(1)} requests per poll`;
  console.log(`busy steady state, ${minutes} min at ${AUDIT_RATE} audit events/s (${tenant} tenant-scoped) + ${CHAT_RATE} completions/s, poll ${POLL} s:`);
  console.log(`  audit: ${f(results.audit)}`);
  console.log(`  chat:  ${f(results.chat)}`);
  console.log(`  audit collector: largest orchestration input ${results.maxInputBytes} B; history per generation max ${results.maxGenerationBytes} B, mean ${results.meanGenerationBytes.toFixed(0)} B; chat collector: input ${results.chatMaxInputBytes} B, history ${results.chatMaxGenerationBytes} B; ledger ${results.ledgerRequestsPerPoll.toFixed(1)} requests per poll; idle audit collector ${idle.toFixed(2)} OpenAI requests per poll`);
  return results;
}

/** An audit collector with nothing to read: OpenAI requests per poll over an hour of polls. */
async function idleAudit(harness: BusyHarness): Promise<number> {
  const { clock } = harness;
  const env = await startFakeEnvironment({ mock: { adminKey: harness.keys.admin, projectKey: harness.keys.project, now: () => clock.now() }, secrets: { "openai-admin-key": harness.keys.admin }, now: () => clock.now(), fastRetries: true });
  harness.use(env);
  const connector = await harness.startConnector();
  await connector.api("PUT", "collectors/idle-audit", { dataType: "auditLogs", friendlyName: "idle", apiKeySecretName: "openai-admin-key", startTime: new Date(clock.now() - 3_600_000).toISOString(), pollIntervalSeconds: 300 });
  await runUntil(connector.host, clock, clock.now() + 15 * 60_000);
  const before = env.openai.served;
  await runUntil(connector.host, clock, clock.now() + 12 * 300_000);
  const perPoll = (env.openai.served - before) / 12;
  await connector.stop();
  await env.stop();
  return perPoll;
}

/** The report section (markdown). */
export function renderBusy(b: BusyResults): string {
  const n = (x: number, d = 0) => x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
  const row = (name: string, s: StreamFigures) => `| ${name} | ${n(s.events)} | ${n(s.late)} | ${n(s.medianLagSeconds)} s | ${n(s.p99LagSeconds)} s | ${n(s.lateMissed)} | ${n(s.missed)} | ${n(s.duplicates)} | ${n(s.requestsPerPoll, 1)} |`;
  return `
## Busy steady state

${n(b.minutes)} simulated minutes of ${b.auditPerSecond} audit events/s in both scopes (${n(b.audit.tenant)} tenant-scoped), 20 % of
them listable 2–15 minutes after their effective_at, and ${b.chatPerSecond} stored completions/s, 30 % listable
30 s – 10 min after \`created\`; 5-minute polls on a virtual clock. Lag is from an item becoming listable to its
row being accepted.

| data | items | late | lag p50 | lag p99 | late missed | missed | duplicates | OpenAI requests per poll |
|---|---|---|---|---|---|---|---|---|
${row("audit logs", b.audit)}
${row("stored completions", b.chat)}

Audit collector: largest orchestration input ${n(b.maxInputBytes)} B (limit 16 KB); history per generation at most
${n(b.maxGenerationBytes)} B, ${n(b.meanGenerationBytes)} B on average (limit 64 KB). Stored-completions collector: input at most
${n(b.chatMaxInputBytes)} B, history per generation at most ${n(b.chatMaxGenerationBytes)} B. The audit delivered-id ledger took ${n(b.ledgerRequestsPerPoll, 1)} Table storage
requests per poll. An idle audit collector sends ${n(b.idleAuditRequestsPerPoll, 2)} OpenAI requests per poll (one per scope).
`;
}
