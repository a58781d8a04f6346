/**
 * The data path over real sockets: the real axios client, LogsIngestionClient and SecretClient
 * talk to the local fakes (HTTPS with a generated CA, gzip, bearer auth, challenge flow).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { collectAuditSlice, type AuditSliceResult } from "../../activities/collectAuditSlice";
import { collectChatCompletions } from "../../activities/collectChatCompletions";
import { eventTypeScope, type AuditScope } from "../../src/audit/eventTypes";
import { AUDIT_LOGS_STREAM, CHAT_COMPLETIONS_STREAM } from "../../src/config";
import type { AuditLogEvent } from "../../src/openai/types";
import { initialChatCursor } from "../../src/cursors/chatCursor";
import { newSegment } from "../../src/cursors/completionSweep";
import { memoryCounts } from "../../src/cursors/lateMemory";
import { runPass } from "../fakes/chatPasses";
import { OpenAIClient } from "../../src/openai/client";
import { AUDIT_LOGS_TABLE, CHAT_COMPLETIONS_TABLE, checkRow } from "../../src/schema/tables";
import { generateAuditEvents, generateCompletions } from "../../src/local/fakes/generate";
import { keyVaultReader, SecretCache } from "../../src/secrets/secretCache";
import { ADMIN_KEY, PROJECT_KEY, startStack, staticCredential, type Stack } from "../fakes/stack";

const T0 = Date.parse("2026-11-01T00:00:00Z") / 1000;
const audit = { collectorId: "org-audit", connectorName: "Org audit", apiKeySecretName: "openai-admin-key" };
const chat = { collectorId: "proj-chat", connectorName: "Project chat", apiKeySecretName: "openai-project-key" };

/** Drains [gte, lt) of one scope, or of both (organization first) as a collector does. */
async function drainAudit(stack: Stack, gte: number, lt: number, maxPages = 10, scopes: readonly AuditScope[] = ["organization", "tenant"]): Promise<AuditSliceResult[]> {
  const run = collectAuditSlice(stack.deps);
  const results: AuditSliceResult[] = [];
  for (const scope of scopes) {
    let cursor: string | null = null;
    for (let i = 0; ; i++) {
      if (i === 1000) throw new Error("did not drain");
      const r = await run({ ...audit, scope, gte, lt, after: cursor, maxPages });
      results.push(r);
      if (r.outcome.kind !== "ok") continue; // keep the same cursor and try again, as the orchestrator does
      if (r.done) break;
      cursor = r.after;
    }
  }
  return results;
}

const sequential = { parallelism: 1, chatPagesPerActivity: 7, chatLateHorizonSeconds: 1_800 };
const segmentInput = (maxPages: number) => ({
  ...chat, segment: newSegment(0, null, null, null), restartFrom: [], rememberSince: 0, lateAtOrBelow: null, memoryBudget: 10_000, maxPages, countModels: false,
});

const inScope = (events: readonly AuditLogEvent[], scope: AuditScope) => events.filter((e) => eventTypeScope(e.type) === scope);

function idsOf(rows: Record<string, unknown>[]): string[] {
  return rows.map((r) => r.Id as string);
}

for (const auditOrder of ["desc", "asc"] as const) {
  describe(`audit logs, server sorting ${auditOrder === "desc" ? "newest first" : "oldest first"}`, () => {
    let stack: Stack;
    const events = generateAuditEvents(10_000, T0, T0 + 86_400, 11);
    before(async () => { stack = await startStack({ auditOrder }); stack.openai.addAuditEvents(events); });
    after(async () => { await stack.stop(); });

    it("moves 10,000 events into the table: every id once, every row schema-valid", async () => {
      const results = await drainAudit(stack, T0, T0 + 86_400);
      const rows = stack.ingestion.rows(AUDIT_LOGS_STREAM);
      assert.deepEqual(idsOf(rows).sort(), events.map((e) => e.id).sort());
      assert.deepEqual(rows.flatMap((r) => checkRow(AUDIT_LOGS_TABLE, r)), []);
      const newest = Math.max(...results.map((r) => r.newestEventAt ?? 0));
      const pages = (scope: AuditScope) => Math.ceil(inScope(events, scope).length / 100);
      assert.deepEqual([results.reduce((n, r) => n + r.rowsWritten, 0), results.reduce((n, r) => n + r.pages, 0), newest], [10_000, pages("organization") + pages("tenant"), Math.max(...events.map((e) => e.effective_at))]);
      assert.deepEqual(["organization", "tenant"].map((scope) => rows.filter((r) => r.Scope === scope).map((r) => r.Id).sort()), [inScope(events, "organization").map((e) => e.id).sort(), inScope(events, "tenant").map((e) => e.id).sort()]);
    });
  });
}

describe("the data path under faults", () => {
  let stack: Stack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack.stop(); });

  it("recovers from OpenAI 429s, 5xx, connection resets and a malformed body without losing or repeating an id", async () => {
    const events = generateAuditEvents(2_000, T0, T0 + 3_600, 21);
    stack.openai.addAuditEvents(events);
    stack.openai.injectFault({ kind: "status", status: 429, headers: { "retry-after": "1" } }, 2, "audit_logs");
    stack.openai.injectFault({ kind: "status", status: 503 }, 2, "audit_logs");
    stack.openai.injectFault({ kind: "reset" }, 2, "audit_logs");
    stack.openai.injectFault({ kind: "malformed" }, 1, "audit_logs");
    stack.openai.injectFault({ kind: "status", status: 500 }, 3, "audit_logs"); // outlasts the in-call retries once
    const results = await drainAudit(stack, T0, T0 + 3_600);
    const rows = stack.ingestion.rows(AUDIT_LOGS_STREAM);
    assert.deepEqual(idsOf(rows).sort(), events.map((e) => e.id).sort());
    // Three brief faults in a row outlast the in-call retries: 429,429,503 | 503,reset,reset | malformed,500,500.
    assert.deepEqual(results.map((r) => r.outcome.kind === "ok" ? "ok" : `${r.outcome.kind}:${(r.outcome as { retriable: boolean }).retriable}`).filter((k) => k !== "ok"), ["failed:true", "failed:true", "failed:true"]);
  });

  it("recovers from Logs Ingestion 429 and 503 (the SDK retries), and reports a long outage without moving the cursor", async () => {
    const completions = generateCompletions(300, T0, T0 + 600, 22);
    stack.openai.addCompletions(completions);
    stack.ingestion.injectFault({ status: 429, retryAfterSeconds: 0 }, 1);
    stack.ingestion.injectFault({ status: 503 }, 1);
    const ok = await collectChatCompletions(stack.deps)(segmentInput(1));
    // One page of 100: its last completion waits for the next page (it is judged once the one after it is seen in order).
    assert.deepEqual([ok.outcome, ok.rowsWritten], [{ kind: "ok" }, 99]);
    stack.ingestion.injectFault({ status: 503 }, 10);
    const failed = await collectChatCompletions(stack.deps)({ ...segmentInput(5), segment: ok.segment });
    assert.deepEqual([failed.outcome.kind, failed.rowsWritten, failed.segment], ["failed", 0, ok.segment]);
  });

  it("a Key Vault outage is a retriable failure, and nothing is fetched", async () => {
    const before = stack.openai.requests.length;
    stack.vault.outageStatus = 503;
    // A fresh cache: the shared one still holds the key from earlier tests.
    const fresh = { ...stack.deps, secrets: new SecretCache(keyVaultReader(stack.vault.url, staticCredential(), { ca: stack.tls.ca, retryDelayInMs: 5 })) };
    const r = await collectAuditSlice(fresh)({ ...audit, gte: T0, lt: T0 + 60, after: null, maxPages: 1 });
    stack.vault.outageStatus = undefined;
    assert.deepEqual([r.outcome.kind, (r.outcome as { retriable: boolean }).retriable, stack.openai.requests.length - before], ["failed", true, 0]);
    assert.match((r.outcome as { message: string }).message, /openai-admin-key.*temporarily unavailable/);
  });
});

describe("chat completions", () => {
  let stack: Stack;
  const completions = generateCompletions(3_000, T0, T0 + 900, 31); // ~3 per second: many ties
  before(async () => { stack = await startStack(); stack.openai.addCompletions(completions); });
  after(async () => { await stack.stop(); });

  it("moves 3,000 stored completions: every id once, every row schema-valid, then a second pass finds nothing", async () => {
    const now = T0 + 86_400;
    const first = await runPass(stack.deps, chat, initialChatCursor(0), sequential, now);
    const rows = stack.ingestion.rows(CHAT_COMPLETIONS_STREAM);
    assert.deepEqual(idsOf(rows).sort(), completions.map((c) => c.id).sort());
    assert.deepEqual(rows.flatMap((r) => checkRow(CHAT_COMPLETIONS_TABLE, r)), []);
    // Everything is older than the next floor (now − 30 min): nothing to remember.
    assert.deepEqual([first.cursor.memory, first.cursor.newest, first.cursor.pass], [{ since: now - 1_800, exact: "", buckets: "" }, T0 + 899, null]);
    const again = await runPass(stack.deps, chat, first.cursor, sequential, now + 300);
    assert.deepEqual([again.generations.length, again.generations[0]!.results[0]!.rowsWritten, again.generations[0]!.results[0]!.pages, stack.ingestion.rows(CHAT_COMPLETIONS_STREAM).length], [1, 0, 1, 3_000]);
  });
});

describe("credentials and secrets", () => {
  let stack: Stack;
  const logs: string[] = [];
  before(async () => { stack = await startStack(); stack.openai.addAuditEvents(generateAuditEvents(50, T0, T0 + 60, 41)); stack.openai.addCompletions(generateCompletions(50, T0, T0 + 60, 42)); });
  after(async () => { await stack.stop(); });

  it("a wrong key gives the clear message, and re-reads the vault once (a rotated key) before reporting", async () => {
    stack.vault.setSecret("openai-admin-key", "test-wrong-admin-key-9999");
    const readsBefore = stack.vault.stats.reads;
    const r = await collectAuditSlice(stack.deps)({ ...audit, gte: T0, lt: T0 + 60, after: null, maxPages: 1 });
    logs.push(JSON.stringify(r));
    assert.equal(r.outcome.kind, "unauthorized");
    assert.match((r.outcome as { message: string }).message, /HTTP 401.*organization admin API key.*audit logging must also be enabled.*Key Vault/);
    assert.equal(stack.vault.stats.reads - readsBefore, 2);
  });

  it("picks up a key fixed in Key Vault on the forced re-read, without a restart", async () => {
    stack.vault.setSecret("openai-admin-key", ADMIN_KEY);
    const r = await collectAuditSlice(stack.deps)({ ...audit, gte: T0, lt: T0 + 60, after: null, maxPages: 5 });
    assert.deepEqual([r.outcome, r.rowsWritten, r.done], [{ kind: "ok" }, inScope(generateAuditEvents(50, T0, T0 + 60, 41), "organization").length, true]);
  });

  it("never puts a key into an error, a result or an axios failure", async () => {
    const client = new OpenAIClient({ baseUrl: stack.openai.baseUrl, ca: stack.tls.ca, maxAttempts: 1 });
    const failures: unknown[] = [];
    for (const call of [
      () => client.listAuditLogs(PROJECT_KEY, { gte: T0, lt: T0 + 60 }),
      () => client.listChatCompletions(ADMIN_KEY, {}),
      () => { stack.openai.injectFault({ kind: "reset" }, 1); return client.listChatCompletions(PROJECT_KEY, {}); },
      () => new OpenAIClient({ baseUrl: "https://127.0.0.1:1/v1", maxAttempts: 1 }).listChatCompletions(PROJECT_KEY, {}),
    ]) await call().catch((e: unknown) => failures.push(e));
    assert.equal(failures.length, 4);
    const everything = [...logs, ...failures.map((e) => `${String(e)} ${JSON.stringify(e)} ${(e as Error).stack ?? ""} ${JSON.stringify(Object.entries(e as object))}`)].join("\n");
    for (const key of [ADMIN_KEY, PROJECT_KEY, "test-wrong-admin-key-9999"]) assert.ok(!everything.includes(key), `leaked ${key}`);
    assert.doesNotMatch(everything, /Authorization|Bearer [^[]/i);
  });
});

describe("stored completion reads", () => {
  let stack: Stack;
  const completions = generateCompletions(250, T0, T0 + 600, 51);
  before(async () => { stack = await startStack(); stack.openai.addCompletions(completions); });
  after(async () => { await stack.stop(); });

  it("filters by model and metadata, gets one completion, lists its messages, and reports a missing one as notFound", async () => {
    const client = new OpenAIClient({ baseUrl: stack.openai.baseUrl, ca: stack.tls.ca });
    const model = completions[0]!.model!;
    const byModel = await client.listChatCompletions(PROJECT_KEY, { model, metadata: { app: "search" }, limit: 100 });
    assert.deepEqual(byModel.data.map((c) => c.id), completions.filter((c) => c.model === model && (c.metadata as { app: string }).app === "search").slice(0, 100).map((c) => c.id));
    assert.deepEqual((await client.getChatCompletion(PROJECT_KEY, completions[7]!.id)).id, completions[7]!.id);
    const messages = await client.listChatCompletionMessages(PROJECT_KEY, completions[7]!.id);
    assert.deepEqual(messages.data.map((m) => [m.id, m.role]), [[`${completions[7]!.id}-0`, "user"]]);
    const missing = await client.getChatCompletion(PROJECT_KEY, "chatcmpl-nope").then(() => undefined, (e: unknown) => e as { failure: { kind: string } });
    assert.equal(missing?.failure.kind, "notFound");
  });
});

describe("a burst of stored completions in one second", () => {
  let stack: Stack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack.stop(); });

  it("collects 250 completions created in the same second, across passes, each once", async () => {
    const burst = generateCompletions(250, T0 + 100, T0 + 101, 61); // all created at T0 + 100
    stack.openai.addCompletions(burst.slice(0, 150));
    // One page per call: a page of nothing but already-delivered ties must still move the segment on.
    const onePage = { ...sequential, chatPagesPerActivity: 1 };
    let cursor = initialChatCursor(0);
    const generations: number[] = [];
    for (let pass = 0; pass < 4; pass++) {
      const r = await runPass(stack.deps, chat, cursor, onePage, T0 + 200 + pass * 60);
      cursor = r.cursor;
      generations.push(r.generations.length);
      if (pass === 0) stack.openai.addCompletions(burst.slice(150)); // more arrive in the same second later
    }
    assert.deepEqual(idsOf(stack.ingestion.rows(CHAT_COMPLETIONS_STREAM)).sort(), burst.map((c) => c.id).sort());
    // 150 = 2 pages; then 250 = 3 pages (100 of them late), then 3 pages of known ones, twice.
    assert.deepEqual([generations, cursor.memory && memoryCounts(cursor.memory).exact, cursor.late.collected], [[2, 3, 3, 3], 250, 100]);
  });
});
