/**
 * The compliance-log data path over real sockets: the real axios client lists and downloads from
 * the local Compliance API (redirects to a signed URL on another host, JSON Lines), the real
 * LogsIngestionClient uploads to the local endpoint, the key comes from the local Key Vault.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BATCH_MAX_ROWS, collectComplianceLogs } from "../../activities/collectComplianceLogs";
import { CHATGPT_COMPLIANCE_LOGS_STREAM, CHATGPT_COSTS_STREAM } from "../../src/config";
import { initialLogFileCursor } from "../../src/compliance/logFileCursor";
import { resolveStreams } from "../../src/compliance/streams";
import { generateComplianceRecords, logFilesOf, type LogFileSpec } from "../../src/local/fakes/generateCompliance";
import { CHATGPT_COMPLIANCE_LOGS_TABLE, CHATGPT_COSTS_TABLE, checkRow } from "../../src/schema/tables";
import { SentinelError } from "../../src/sentinel/failures";
import { drainStream, ORG, streamInput, streamOf, total } from "../fakes/compliance";
import { ADMIN_KEY, COMPLIANCE_KEY, startStack, type Stack } from "../fakes/stack";

const T0 = Date.parse("2026-11-24T00:00:00Z") / 1000;
const ORIGIN = "2026-11-24T00:00:00.000000Z";

function rowsOf(stack: Stack, stream: string): Record<string, unknown>[] {
  return stack.ingestion.rows(stream);
}

function eventIds(files: readonly LogFileSpec[]): string[] {
  return [...new Set(files.flatMap((f) => f.records.map((r) => r.event_id as string)))];
}

describe("compliance logs: backfill of every event type", () => {
  let stack: Stack;
  const records = generateComplianceRecords(ORG, T0, T0 + 86_400, 1_800, 7);
  const files = logFilesOf(records, ORG, 1_800, 7);
  before(async () => {
    stack = await startStack();
    for (const f of files) stack.compliance.addLogFile(f);
  });
  after(async () => { await stack.stop(); });

  it("moves every file of every type into its table: every event once, COSTS repeats dropped, every row schema-valid", async () => {
    const resolved = resolveStreams({ ...ORG, includeConversationMessages: true });
    assert.ok("streams" in resolved);
    const perType: Record<string, number> = {};
    let duplicates = 0;
    for (const stream of resolved.streams) {
      const { results } = await drainStream(stack, streamInput(stream, ORIGIN, undefined, { userContentAllowed: true }));
      perType[stream.eventType] = total(results, "rowsWritten");
      duplicates += total(results, "duplicates");
    }
    const logs = rowsOf(stack, CHATGPT_COMPLIANCE_LOGS_STREAM);
    const costs = rowsOf(stack, CHATGPT_COSTS_STREAM);
    const expected = (type: string) => eventIds(files.filter((f) => f.eventType === type));
    assert.deepEqual(Object.keys(perType).sort(), ["APP_AUTH_LOG", "APP_LOG", "AUDIT_LOG", "AUTH_LOG", "CODEX_LOG", "CODEX_SECURITY_LOG", "CONVERSATION_MESSAGE", "COSTS", "CUSTOM_AGENTS_LOG"]);
    for (const [type, n] of Object.entries(perType)) assert.equal(n, expected(type).length, type);
    assert.deepEqual(logs.map((r) => r.EventId).sort(), files.filter((f) => f.eventType !== "COSTS").flatMap((f) => f.records.map((r) => r.event_id)).sort());
    assert.deepEqual(costs.map((r) => r.EventId).sort(), expected("COSTS").sort());
    // Each COSTS file after the first repeats one record of the one before.
    assert.equal(duplicates, files.filter((f) => f.eventType === "COSTS").length - 1);
    assert.deepEqual([...logs.flatMap((r) => checkRow(CHATGPT_COMPLIANCE_LOGS_TABLE, r)), ...costs.flatMap((r) => checkRow(CHATGPT_COSTS_TABLE, r))], []);
  });

  it("never sends the compliance key to the signed-URL host, which is another host than the API", () => {
    assert.ok(stack.compliance.fileRequests.length >= files.length, `${stack.compliance.fileRequests.length} downloads`);
    const leaks = stack.compliance.fileRequests.filter((r) => r.headers.authorization !== undefined || JSON.stringify(r).includes(COMPLIANCE_KEY));
    assert.deepEqual(leaks, []);
    assert.notEqual(new URL(stack.compliance.fileHostUrl).host, new URL(stack.openai.baseUrl).host);
  });
});

describe("compliance logs: listing behaviours", () => {
  let stack: Stack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack.stop(); });

  it("an empty listing keeps the cursor where it was: never null, never moved", async () => {
    const run = collectComplianceLogs(stack.deps);
    const r = await run(streamInput(streamOf("CODEX_LOG"), ORIGIN));
    assert.deepEqual(r, { outcome: { kind: "ok" }, cursor: initialLogFileCursor(ORIGIN), done: true, pages: 1, files: 0, rowsWritten: 0, duplicates: 0, relisted: 0, withheld: 0, newestEventAt: null });
    assert.deepEqual(stack.compliance.listings.at(-1), { scope: "workspace", scopeId: ORG.workspaceId, eventType: "CODEX_LOG", after: ORIGIN, status: 200, files: 0 });
  });

  it("refuses a platform key with unauthorized and says which key is needed, without the key", async () => {
    stack.vault.setSecret("platform-admin-key", ADMIN_KEY);
    const r = await collectComplianceLogs(stack.deps)(streamInput(streamOf("AUTH_LOG"), ORIGIN, undefined, { apiKeySecretName: "platform-admin-key" }));
    assert.equal(r.outcome.kind, "unauthorized");
    const message = (r.outcome as { message: string }).message;
    assert.match(message, /HTTP 401: .*rejected by access enforcement.*Collecting ChatGPT compliance logs needs a ChatGPT Enterprise\/Edu Compliance API key/);
    assert.ok(!message.includes(ADMIN_KEY));
    assert.deepEqual([r.cursor, r.rowsWritten], [initialLogFileCursor(ORIGIN), 0]);
  });
});

/** A small file of `n` AUTH_LOG-shaped records ending at `endTime`. */
function authFile(id: string, endTime: string, n: number, eventType = "AUTH_LOG"): LogFileSpec {
  const stream = streamOf(eventType);
  const records = Array.from({ length: n }, (_, i) => ({ event_id: `${id}-event-${i}`, type: eventType, timestamp: endTime.replace(/\.\d+Z$/, "Z"), principal: { id: ORG.workspaceId, type: "CHATGPT_WORKSPACE" },
    actor: { type: "ACCOUNT_USER", user_id: `user-${i}`, user_email: `person${i}@example.org` }, action_data: { action: "login_success", role: "standard-user" } }));
  return { id, scope: stream.scope, scopeId: stream.scopeId, eventType, endTime, records };
}

function idsFrom(stack: Stack, fileIds: readonly string[]): string[] {
  const wanted = new Set(fileIds);
  return [...rowsOf(stack, CHATGPT_COMPLIANCE_LOGS_STREAM), ...rowsOf(stack, CHATGPT_COSTS_STREAM)].filter((r) => wanted.has(r.LogFileId as string)).map((r) => r.EventId as string).sort();
}

for (const afterComparison of ["gte", "gt"] as const) {
  describe(`compliance logs: the boundary file, with a server comparing after ${afterComparison === "gte" ? "≥ (re-lists it)" : "> (strict)"}`, () => {
    let stack: Stack;
    const files = [authFile("eclf_b1", "2026-11-24T01:00:00.100001Z", 3), authFile("eclf_b2", "2026-11-24T02:00:00.200002Z", 2)];
    before(async () => { stack = await startStack({}, { compliance: { afterComparison } }); for (const f of files) stack.compliance.addLogFile(f); });
    after(async () => { await stack.stop(); });

    it("moves the cursor to last_end_time, exactly, and the next poll ingests nothing again", async () => {
      const first = await drainStream(stack, streamInput(streamOf("AUTH_LOG"), ORIGIN));
      assert.equal(first.cursor.after, "2026-11-24T02:00:00.200002Z");
      const again = await collectComplianceLogs(stack.deps)(streamInput(streamOf("AUTH_LOG"), ORIGIN, first.cursor));
      const lastListing = stack.compliance.listings.at(-1)!;
      assert.deepEqual([again.outcome.kind, again.rowsWritten, again.files, again.relisted, again.cursor.after, lastListing.after, lastListing.files],
        ["ok", 0, 0, afterComparison === "gte" ? 1 : 0, first.cursor.after, "2026-11-24T02:00:00.200002Z", afterComparison === "gte" ? 1 : 0]);
      assert.deepEqual(idsFrom(stack, ["eclf_b1", "eclf_b2"]), eventIds(files).sort());
    });
  });
}

describe("compliance logs: faults and contradictions", () => {
  let stack: Stack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack.stop(); });

  it("a listing that says has_more without moving is an error, not a loop; the cursor stays", async () => {
    stack.compliance.addLogFile(authFile("eclf_s1", "2026-11-24T03:00:00.000001Z", 2, "APP_LOG"));
    stack.compliance.stallListing("APP_LOG", 1);
    const run = collectComplianceLogs(stack.deps);
    const stalled = await run(streamInput(streamOf("APP_LOG"), ORIGIN));
    assert.deepEqual([stalled.outcome.kind, stalled.pages, stalled.rowsWritten, stalled.cursor], ["failed", 1, 0, initialLogFileCursor(ORIGIN)]);
    assert.match((stalled.outcome as { message: string }).message, /APP_LOG listing after 2026-11-24T00:00:00.000000Z says has_more but its last_end_time \(2026-11-24T00:00:00.000000Z\) does not move; refusing to loop/);
    const next = await run(streamInput(streamOf("APP_LOG"), ORIGIN));
    assert.deepEqual([next.outcome.kind, next.rowsWritten, next.done], ["ok", 2, true]);
  });

  it("a failed download is retried with a fresh signed URL, in the call and in the next one; every event arrives once", async () => {
    stack.compliance.addLogFile(authFile("eclf_f1", "2026-11-24T04:00:00.000001Z", 4, "CODEX_LOG"));
    stack.compliance.addLogFile(authFile("eclf_f2", "2026-11-24T05:00:00.000001Z", 3, "CODEX_LOG"));
    const run = collectComplianceLogs(stack.deps);
    const before = stack.compliance.fileRequests.length;
    // One reset mid-body and one 503: both cured inside the call.
    stack.compliance.injectFileFault({ kind: "reset" });
    stack.compliance.injectFileFault({ kind: "status", status: 503 });
    const first = await run(streamInput(streamOf("CODEX_LOG"), ORIGIN, undefined, { maxFiles: 1 }));
    assert.deepEqual([first.outcome.kind, first.files, first.rowsWritten, stack.compliance.fileRequests.slice(before).map((r) => r.status)], ["ok", 1, 4, [200, 503, 200]]);
    // A download that keeps failing ends the call with a retriable failure; the file is neither ingested nor passed.
    stack.compliance.injectFileFault({ kind: "status", status: 500 }, 3);
    const failing = await run(streamInput(streamOf("CODEX_LOG"), ORIGIN, first.cursor));
    assert.deepEqual([failing.outcome.kind, (failing.outcome as { retriable?: boolean }).retriable, failing.rowsWritten, failing.cursor.after], ["failed", true, 0, ORIGIN]);
    const recovered = await drainStream(stack, streamInput(streamOf("CODEX_LOG"), ORIGIN, failing.cursor));
    assert.equal(total(recovered.results, "rowsWritten"), 3);
    assert.deepEqual(idsFrom(stack, ["eclf_f1", "eclf_f2"]), [...authFile("eclf_f1", "x", 4).records, ...authFile("eclf_f2", "x", 3).records].map((r) => r.event_id).sort());
  });

  it("a file whose SHA-256 does not match is an error: nothing of it, or of any later file, is ingested", async () => {
    stack.compliance.addLogFile({ ...authFile("eclf_c1", "2026-11-24T06:00:00.000001Z", 3, "CUSTOM_AGENTS_LOG"), listedSha256: "0".repeat(64) });
    stack.compliance.addLogFile(authFile("eclf_c2", "2026-11-24T07:00:00.000001Z", 2, "CUSTOM_AGENTS_LOG"));
    const r = await collectComplianceLogs(stack.deps)(streamInput(streamOf("CUSTOM_AGENTS_LOG"), ORIGIN));
    assert.deepEqual([r.outcome.kind, (r.outcome as { retriable?: boolean }).retriable, r.rowsWritten, r.files, r.cursor], ["failed", false, 0, 0, initialLogFileCursor(ORIGIN)]);
    assert.match((r.outcome as { message: string }).message, /file eclf_c1 failed its SHA-256 check \(got [0-9a-f]{64}, the listing says 0{64}\); nothing of it was ingested/);
    assert.deepEqual(idsFrom(stack, ["eclf_c1", "eclf_c2"]), []);
  });

  it("a call that runs out of time pauses inside a file after a batch, and the next call resumes at the next line", async () => {
    stack.compliance.addLogFile(authFile("eclf_t1", "2026-11-24T09:00:00.000001Z", 5_000, "APP_AUTH_LOG"));
    // A clock that moves 100 s at every reading: the 300 s budget runs out after the second batch.
    let t = 0;
    const slow = { ...stack.deps, now: () => (t += 100_000) };
    const paused = await collectComplianceLogs(slow)(streamInput(streamOf("APP_AUTH_LOG"), ORIGIN));
    assert.deepEqual([paused.outcome.kind, paused.done, paused.rowsWritten, paused.files, paused.cursor.partial?.lines, paused.cursor.after], ["ok", false, 2 * BATCH_MAX_ROWS, 0, 2 * BATCH_MAX_ROWS, ORIGIN]);
    const rest = await drainStream(stack, streamInput(streamOf("APP_AUTH_LOG"), ORIGIN, paused.cursor));
    assert.equal(total(rest.results, "rowsWritten"), 5_000 - 2 * BATCH_MAX_ROWS);
    const ids = idsFrom(stack, ["eclf_t1"]);
    assert.deepEqual([ids.length, new Set(ids).size], [5_000, 5_000]);
  });

  it("an upload failure in the middle of a large file resumes at its first undelivered line: every event once", async () => {
    const big = authFile("eclf_p1", "2026-11-24T08:00:00.000001Z", 5_000, "CODEX_SECURITY_LOG");
    stack.compliance.addLogFile(big);
    // The real writer, except that its second upload fails as a Logs Ingestion outage would.
    let uploads = 0;
    const writer = { upload: (s: string, rows: readonly Record<string, unknown>[]) => (++uploads === 2 ? Promise.reject(new SentinelError({ kind: "retriable", status: 503, message: "Logs Ingestion → HTTP 503: injected" })) : stack.deps.writer.upload(s, rows)) };
    const cut = await collectComplianceLogs({ ...stack.deps, writer })(streamInput(streamOf("CODEX_SECURITY_LOG"), ORIGIN));
    assert.deepEqual([cut.outcome.kind, cut.rowsWritten, cut.files, cut.cursor.partial?.lines, cut.cursor.after], ["failed", BATCH_MAX_ROWS, 0, BATCH_MAX_ROWS, ORIGIN]);
    const rest = await drainStream(stack, streamInput(streamOf("CODEX_SECURITY_LOG"), ORIGIN, cut.cursor));
    assert.deepEqual([total(rest.results, "rowsWritten"), rest.cursor.partial, rest.cursor.after], [5_000 - BATCH_MAX_ROWS, null, "2026-11-24T08:00:00.000001Z"]);
    const ids = idsFrom(stack, ["eclf_p1"]);
    assert.deepEqual([ids.length, new Set(ids).size], [5_000, 5_000]);
  });

  it("a batch the Logs Ingestion API accepted in part resumes after its accepted rows: every event once", async () => {
    stack.compliance.addLogFile(authFile("eclf_q1", "2026-11-24T07:00:00.000001Z", 5_000, "CODEX_LOG"));
    // The second batch: its first 700 rows are accepted (the writer's first requests), then a request keeps failing.
    let uploads = 0;
    const writer = {
      upload: async (s: string, rows: readonly Record<string, unknown>[]) => {
        if (rows[0]?.LogFileId !== "eclf_q1" || ++uploads !== 2) return stack.deps.writer.upload(s, rows);
        await stack.deps.writer.upload(s, rows.slice(0, 700));
        throw new SentinelError({ kind: "retriable", status: 503, message: "Logs Ingestion → HTTP 503: injected" }, 700);
      },
    };
    const cut = await collectComplianceLogs({ ...stack.deps, writer })(streamInput(streamOf("CODEX_LOG"), ORIGIN));
    // The accepted rows are counted, and the file resumes after the last of them.
    assert.deepEqual([cut.outcome.kind, cut.cursor.partial?.lines, idsFrom(stack, ["eclf_q1"]).length], ["failed", BATCH_MAX_ROWS + 700, BATCH_MAX_ROWS + 700]);
    await drainStream(stack, streamInput(streamOf("CODEX_LOG"), ORIGIN, cut.cursor));
    const ids = idsFrom(stack, ["eclf_q1"]);
    assert.deepEqual([ids.length, new Set(ids).size], [5_000, 5_000]);
  });
});

describe("compliance logs: late files, repeated events, user content", () => {
  let stack: Stack;
  let nowMs = Date.parse("2026-11-24T12:00:00Z");
  before(async () => { stack = await startStack({ now: () => nowMs }); });
  after(async () => { await stack.stop(); });

  it("a file published late inside the overlap is ingested on the next poll, and nothing twice; one later than the overlap is not", async () => {
    const onTime = authFile("eclf_l2", "2026-11-24T10:30:00.000002Z", 2, "AUDIT_LOG");
    const late = authFile("eclf_l1", "2026-11-24T10:00:00.000001Z", 3, "AUDIT_LOG");
    const tooLate = authFile("eclf_l0", "2026-11-24T09:00:00.000001Z", 1, "AUDIT_LOG");
    stack.compliance.addLogFile(onTime);
    stack.compliance.addLogFile({ ...late, visibleAtMs: nowMs + 60_000 });
    stack.compliance.addLogFile({ ...tooLate, visibleAtMs: nowMs + 60_000 });
    const input = streamInput(streamOf("AUDIT_LOG"), ORIGIN, undefined, { overlapSeconds: 3_600 });
    const first = await drainStream(stack, input);
    nowMs += 120_000;
    const second = await drainStream(stack, { ...input, cursor: first.cursor });
    assert.deepEqual([total(first.results, "rowsWritten"), total(second.results, "rowsWritten"), total(second.results, "relisted"), second.cursor.after, stack.compliance.listings.at(-1)!.after],
      [2, 3, 1, "2026-11-24T10:30:00.000002Z", "2026-11-24T09:30:00.000002Z"]);
    assert.deepEqual(idsFrom(stack, ["eclf_l0", "eclf_l1", "eclf_l2"]), eventIds([late, onTime]).sort());
  });

  it("an event id the source repeats in a later file (COSTS) is ingested once, across activity calls", async () => {
    const base = { scope: "organization" as const, scopeId: ORG.organizationId, eventType: "COSTS" };
    const cost = (id: string, hour: number) => ({ event_id: id, type: "COSTS", timestamp: `2026-11-24T${String(hour).padStart(2, "0")}:59:59Z`, payload: { day: "2026-11-24", hour, organization_id: ORG.organizationId, measures: { billing: [{ cost: { value: 1.5, unit: "CREDITS" } }] } } });
    stack.compliance.addLogFile({ ...base, id: "eclf_k1", endTime: "2026-11-24T03:27:13.000001Z", records: [cost("cost-a", 1), cost("cost-b", 2)] });
    stack.compliance.addLogFile({ ...base, id: "eclf_k2", endTime: "2026-11-24T04:27:13.000001Z", records: [cost("cost-b", 2), cost("cost-c", 3)] });
    const { results } = await drainStream(stack, streamInput(streamOf("COSTS"), ORIGIN, undefined, { maxFiles: 1 }));
    assert.deepEqual(results.map((r) => [r.files, r.rowsWritten, r.duplicates]), [[1, 2, 0], [1, 1, 1]]);
    assert.deepEqual(idsFrom(stack, ["eclf_k1", "eclf_k2"]), ["cost-a", "cost-b", "cost-c"]);
    assert.deepEqual(rowsOf(stack, CHATGPT_COSTS_STREAM).filter((r) => r.EventId === "cost-b").map((r) => [r.Credits, r.HourStart, r.TimeGenerated]), [[1.5, "2026-11-24T02:00:00.000Z", "2026-11-24T02:59:59.000000Z"]]);
  });

  it("message text is ingested only when the collector opted in", async () => {
    const stream = streamOf("CONVERSATION_MESSAGE");
    const message = (i: number) => ({ event_id: `msg-${i}`, type: "CONVERSATION_MESSAGE", timestamp: "2026-11-24T05:00:00Z", principal: { id: ORG.workspaceId, type: "CHATGPT_WORKSPACE" }, actor: { type: "ACCOUNT_USER", user_id: "user-1", user_email: "a@example.org" },
      message: { id: `m-${i}`, author: { type: "user" }, content: { type: "text", value: `secret plan number ${i}` } }, conversation: { id: "c-1", title: "Plans" } });
    stack.compliance.addLogFile({ ...stream, id: "eclf_m1", endTime: "2026-11-24T05:10:00.000001Z", records: [message(1), message(2)] });
    const withheld = await collectComplianceLogs(stack.deps)(streamInput(stream, ORIGIN));
    assert.deepEqual([withheld.outcome.kind, withheld.rowsWritten, withheld.withheld], ["ok", 0, 2]);
    assert.deepEqual(idsFrom(stack, ["eclf_m1"]), []);
    const allowed = await collectComplianceLogs(stack.deps)(streamInput(stream, ORIGIN, undefined, { userContentAllowed: true }));
    assert.deepEqual([allowed.outcome.kind, allowed.rowsWritten, allowed.withheld], ["ok", 2, 0]);
    const rows = rowsOf(stack, CHATGPT_COMPLIANCE_LOGS_STREAM).filter((r) => r.LogFileId === "eclf_m1");
    assert.deepEqual(rows.map((r) => [r.EventId, r.MessageId, r.MessageAuthorType, r.ConversationId, (r.Payload as { message: { content: { value: string } } }).message.content.value]),
      [["msg-1", "m-1", "user", "c-1", "secret plan number 1"], ["msg-2", "m-2", "user", "c-1", "secret plan number 2"]]);
    assert.ok(!JSON.stringify([withheld, allowed]).includes("secret plan"));
  });
});
