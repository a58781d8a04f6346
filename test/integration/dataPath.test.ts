/**
 * The data path over real sockets: the real axios client, LogsIngestionClient and SecretClient
 * talk to the local fakes (HTTPS with a generated CA, gzip, bearer auth, challenge flow).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { collectAuditSlice, type AuditSliceResult } from "../../activities/collectAuditSlice";
import { collectChatCompletions, type CompletionPagesResult } from "../../activities/collectChatCompletions";
import { AUDIT_LOGS_STREAM, CHAT_COMPLETIONS_STREAM } from "../../src/config";
import { initialCursor } from "../../src/cursors/completionSweep";
import { OpenAIClient } from "../../src/openai/client";
import { AUDIT_LOGS_TABLE, CHAT_COMPLETIONS_TABLE, checkRow } from "../../src/schema/tables";
import { generateAuditEvents, generateCompletions } from "../../src/local/fakes/generate";
import { keyVaultReader, SecretCache } from "../../src/secrets/secretCache";
import { ADMIN_KEY, PROJECT_KEY, startStack, staticCredential, type Stack } from "../fakes/stack";

const T0 = Date.parse("2026-11-01T00:00:00Z") / 1000;
const audit = { collectorId: "org-audit", connectorName: "Org audit", apiKeySecretName: "openai-admin-key" };
const chat = { collectorId: "proj-chat", connectorName: "Project chat", apiKeySecretName: "openai-project-key" };

async function drainAudit(stack: Stack, gte: number, lt: number, maxPages = 10): Promise<AuditSliceResult[]> {
  const run = collectAuditSlice(stack.deps);
  const results: AuditSliceResult[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 1000; i++) {
    const r = await run({ ...audit, gte, lt, after: cursor, maxPages });
    results.push(r);
    if (r.outcome.kind !== "ok") continue; // keep the same cursor and try again, as the orchestrator does
    if (r.done) return results;
    cursor = r.after;
  }
  throw new Error("did not drain");
}

async function drainCompletions(stack: Stack, startTime = 0): Promise<CompletionPagesResult[]> {
  const run = collectChatCompletions(stack.deps);
  const results: CompletionPagesResult[] = [];
  let cursor = initialCursor(startTime);
  for (let i = 0; i < 1000; i++) {
    const r = await run({ ...chat, cursor, maxPages: 7 });
    results.push(r);
    cursor = r.cursor;
    if (r.sweepDone) return results;
  }
  throw new Error("did not finish the sweep");
}

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
      assert.deepEqual([results.reduce((n, r) => n + r.rowsWritten, 0), results.reduce((n, r) => n + r.pages, 0), newest], [10_000, 100, Math.max(...events.map((e) => e.effective_at))]);
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
    const ok = await collectChatCompletions(stack.deps)({ ...chat, cursor: initialCursor(0), maxPages: 1 });
    assert.deepEqual([ok.outcome, ok.rowsWritten], [{ kind: "ok" }, 100]);
    stack.ingestion.injectFault({ status: 503 }, 10);
    const failed = await collectChatCompletions(stack.deps)({ ...chat, cursor: ok.cursor, maxPages: 5 });
    assert.deepEqual([failed.outcome.kind, failed.rowsWritten, failed.cursor], ["failed", 0, ok.cursor]);
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

  it("moves 3,000 stored completions: every id once, every row schema-valid, then a second sweep finds nothing", async () => {
    const first = await drainCompletions(stack);
    const rows = stack.ingestion.rows(CHAT_COMPLETIONS_STREAM);
    assert.deepEqual(idsOf(rows).sort(), completions.map((c) => c.id).sort());
    assert.deepEqual(rows.flatMap((r) => checkRow(CHAT_COMPLETIONS_TABLE, r)), []);
    const mark = first.at(-1)!.cursor.watermark!;
    assert.deepEqual(mark, { created: T0 + 899, ids: completions.filter((c) => c.created === T0 + 899).map((c) => c.id).reverse() });
    const again = await collectChatCompletions(stack.deps)({ ...chat, cursor: first.at(-1)!.cursor, maxPages: 5 });
    assert.deepEqual([again.sweepDone, again.rowsWritten, again.pages, stack.ingestion.rows(CHAT_COMPLETIONS_STREAM).length], [true, 0, 1, 3_000]);
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
    assert.deepEqual([r.outcome, r.rowsWritten, r.done], [{ kind: "ok" }, 50, true]);
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

  it("collects 250 completions created in the same second, across sweeps, each once", async () => {
    const burst = generateCompletions(250, T0 + 100, T0 + 101, 61); // all created at T0 + 100
    stack.openai.addCompletions(burst.slice(0, 150));
    const run = collectChatCompletions(stack.deps);
    let cursor = initialCursor(0);
    // One page per call: a page of nothing but already-delivered ties must still move the sweep on.
    let calls = 0;
    let added = false;
    for (let sweepsDone = 0; sweepsDone < 4 && calls < 30; calls++) {
      const r = await run({ ...chat, cursor, maxPages: 1 });
      assert.equal(r.outcome.kind, "ok", JSON.stringify(r.outcome));
      cursor = r.cursor;
      if (r.sweepDone) sweepsDone++;
      if (sweepsDone === 1 && !added) {
        stack.openai.addCompletions(burst.slice(150)); // more arrive in the same second later
        added = true;
      }
    }
    assert.ok(calls < 30, "the sweeps finish");
    assert.deepEqual(idsOf(stack.ingestion.rows(CHAT_COMPLETIONS_STREAM)).sort(), burst.map((c) => c.id).sort());
    assert.deepEqual([cursor.watermark?.created, cursor.watermark?.ids.length, cursor.sweep], [T0 + 100, 250, null]);
  });
});
