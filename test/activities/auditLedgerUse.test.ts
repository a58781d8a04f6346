/**
 * When an audit slice asks the delivered-id ledger: only once a page holds events. An idle poll's
 * late sweep (an empty window) sends no Table request; a late sweep with events prunes and reads
 * the ledger once and skips what it holds — over the real clients, the local Table service and
 * the OpenAI mock.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { collectAuditSlice, type AuditSliceInput } from "../../activities/collectAuditSlice";
import { idDigest } from "../../activities/idDigest";
import { eventTypeScope } from "../../src/audit/eventTypes";
import { AUDIT_LOGS_STREAM } from "../../src/config";
import { LedgerError, type DeliveredLedger } from "../../src/ledger/deliveredLedger";
import { generateAuditEvents } from "../../src/local/fakes/generate";
import { startStack, type Stack } from "../fakes/stack";

/** The real ledger, with its calls counted by method. */
function countingLedger(real: DeliveredLedger): DeliveredLedger & { calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const count = (name: string) => { calls[name] = (calls[name] ?? 0) + 1; };
  return {
    calls,
    delivered: (...a) => (count("delivered"), real.delivered(...a)),
    record: (...a) => (count("record"), real.record(...a)),
    prune: (...a) => (count("prune"), real.prune(...a)),
    pruneAndRead: (...a) => (count("pruneAndRead"), real.pruneAndRead(...a)),
  };
}

describe("an audit slice and the delivered-id ledger", () => {
  let stack: Stack;
  const T0 = Date.parse("2026-11-01T00:00:00Z") / 1000;
  const events = generateAuditEvents(300, T0, T0 + 1_800, 81).filter((e) => eventTypeScope(e.type) === "organization");
  const ref = { collectorId: "ledger-use", connectorName: "C", apiKeySecretName: "openai-admin-key" };
  before(async () => {
    stack = await startStack();
    stack.openai.addAuditEvents(events);
  });
  after(async () => { await stack.stop(); });

  it("sends no ledger request for a late sweep whose window is empty", async () => {
    const ledger = countingLedger(stack.deps.ledger);
    const requests = { ...stack.tables.stats };
    const input: AuditSliceInput = { ...ref, gte: T0 + 7_200, lt: T0 + 9_000, after: null, maxPages: 10, late: true, recordSince: T0 + 7_200, pruneBefore: T0 + 5_400 };
    const result = await collectAuditSlice({ ...stack.deps, ledger })(input);
    // Recording the page's no events is the one call, and it sends nothing.
    assert.deepEqual([result.outcome.kind, result.done, result.pages, result.rowsWritten, ledger.calls, stack.tables.stats], ["ok", true, 1, 0, { record: 1 }, requests]);
  });

  it("prunes and reads the ledger once for a late sweep with events, and skips the events it holds", async () => {
    const key = { collectorId: ref.collectorId, scope: "organization" as const };
    const held = events.slice(0, 40);
    await stack.deps.ledger.record(key, held.map((e) => ({ effectiveAt: e.effective_at, digest: idDigest(e.id) })));
    // A row of a bucket that ends before `pruneBefore`: the sweep forgets it.
    await stack.deps.ledger.record(key, [{ effectiveAt: T0 - 3_600, digest: "OLDOLDOLD0" }]);
    const ledger = countingLedger(stack.deps.ledger);
    const before = stack.ingestion.rows(AUDIT_LOGS_STREAM).length;
    const input: AuditSliceInput = { ...ref, gte: T0, lt: T0 + 1_800, after: null, maxPages: 10, late: true, recordSince: T0, pruneBefore: T0 - 1_800 };
    const result = await collectAuditSlice({ ...stack.deps, ledger })(input);
    const sent = stack.ingestion.rows(AUDIT_LOGS_STREAM).slice(before).map((r) => r.Id).sort();
    const expected = events.slice(40).map((e) => e.id).sort();
    const newest = Math.max(...events.slice(40).map((e) => e.effective_at));
    assert.deepEqual([result, sent, ledger.calls.pruneAndRead, ledger.calls.delivered, ledger.calls.prune, await stack.deps.ledger.delivered(key, T0 - 3_600, T0 - 3_500)],
      [{ outcome: { kind: "ok" }, refused: null, done: true, after: result.after, pages: Math.ceil(events.length / 100), rowsWritten: events.length - 40, duplicates: 40, newestEventAt: newest, unknownTypes: {} },
        expected, 1, undefined, undefined, new Set()]);
  });

  it("returns a retriable failure, uploading nothing, when the ledger cannot be read for a page with events", async () => {
    const failing: DeliveredLedger = { ...stack.deps.ledger, pruneAndRead: () => Promise.reject(new LedgerError("delivered-id ledger (Table storage) prune and read failed: 503 ServerBusy")) };
    const before = stack.ingestion.rows(AUDIT_LOGS_STREAM).length;
    const input: AuditSliceInput = { ...ref, gte: T0, lt: T0 + 1_800, after: null, maxPages: 10, late: true, recordSince: T0, pruneBefore: T0 - 1_800 };
    const result = await collectAuditSlice({ ...stack.deps, ledger: failing })(input);
    assert.deepEqual([result, stack.ingestion.rows(AUDIT_LOGS_STREAM).length - before],
      [{ outcome: { kind: "failed", retriable: true, message: "delivered-id ledger (Table storage) prune and read failed: 503 ServerBusy" }, refused: null, done: false, after: null, pages: 0, rowsWritten: 0, duplicates: 0, newestEventAt: null, unknownTypes: {} }, 0]);
  });
});
