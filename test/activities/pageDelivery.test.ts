/**
 * Crash-safe page progress: the book keeps the newest schedulings' runs, a record applies only to
 * the exact run and input that wrote it, a re-delivered activity call (same input, after its
 * worker died mid-upload) re-sends only the page that was in flight, a call records nothing after
 * its last page, and a finished call recorded with its result sends nothing when run again — over
 * the real clients and fakes.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { collectAuditSlice, type AuditSliceInput } from "../../activities/collectAuditSlice";
import { collectChatCompletions, type CompletionSegmentInput } from "../../activities/collectChatCompletions";
import type { RowWriter } from "../../activities/deps";
import { eventTypeScope } from "../../src/audit/eventTypes";
import { AUDIT_LOGS_STREAM, CHAT_COMPLETIONS_STREAM } from "../../src/config";
import { newSegment } from "../../src/cursors/completionSweep";
import { deliveryDigest, EMPTY_BOOK, progressOf, recordProgress, resultRecord, withDelivery, type ProgressBook, type ProgressRecord } from "../../src/delivery/progress";
import type { ProgressLog } from "../../src/delivery/progressLog";
import { generateAuditEvents, generateCompletions } from "../../src/local/fakes/generate";
import { startStack, type Stack } from "../fakes/stack";

describe("the progress book", () => {
  const rec = (runId: string, scheduledAt: number, state: unknown): ProgressRecord => ({ runId, scheduledAt, input: `in-${runId}`, state });
  it("keeps the latest state per run of the newest scheduling and drops older schedulings", () => {
    let book: ProgressBook = EMPTY_BOOK;
    for (const r of [rec("0.0", 10, 1), rec("0.1", 10, 1), rec("0.0", 10, 2), rec("1.0", 20, 1), rec("1.1", 20, 5)]) book = recordProgress(book, r);
    assert.deepEqual(book, { runs: { "1.0": { scheduledAt: 20, input: "in-1.0", state: 1 }, "1.1": { scheduledAt: 20, input: "in-1.1", state: 5 } } });
  });
  it("gives a run its state only for its own scheduling and input", () => {
    const book = recordProgress(EMPTY_BOOK, rec("3.0", 30, { after: "x" }));
    assert.deepEqual([progressOf(book, { runId: "3.0", scheduledAt: 30, digest: "in-3.0" }), progressOf(book, { runId: "3.0", scheduledAt: 31, digest: "in-3.0" }),
      progressOf(book, { runId: "3.0", scheduledAt: 30, digest: "other input" }), progressOf(undefined, { runId: "3.0", scheduledAt: 30, digest: "in-3.0" })], [{ after: "x" }, undefined, undefined, undefined]);
  });
  it("names a scheduling by generation, task and time, with a digest that changes with any field of the input", () => {
    const input = { collectorId: "c", gte: 10, lt: 20, after: null };
    const digests = [input, { ...input, lt: 21 }, { ...input, after: "a" }, { ...input, collectorId: "d" }].map(deliveryDigest);
    assert.deepEqual([withDelivery(input, 4, 2, 1_000), new Set(digests).size, deliveryDigest({ ...input })],
      [{ ...input, delivery: { runId: "4.2", scheduledAt: 1_000, digest: digests[0] } }, 4, digests[0]]);
    assert.match(digests[0]!, /^[0-9a-f]{16}$/);
  });
});

/** A progress log in memory, like the entity: records applied in order. */
function memoryLog(): ProgressLog & { books: Map<string, ProgressBook> } {
  const books = new Map<string, ProgressBook>();
  return {
    books,
    read: (id) => Promise.resolve(books.get(id)),
    record: (id, r) => { books.set(id, recordProgress(books.get(id) ?? EMPTY_BOOK, r)); return Promise.resolve(); },
  };
}

/** The real writer, except that upload number `dieAt` is accepted and then never answers: the worker died. */
function dyingWriter(real: RowWriter, dieAt: number): RowWriter {
  let uploads = 0;
  return { upload: async (stream, rows) => { await real.upload(stream, rows); if (++uploads === dieAt) await new Promise(() => undefined); } };
}

describe("a re-delivered activity call", () => {
  let stack: Stack;
  const T0 = Date.parse("2026-11-01T00:00:00Z") / 1000;
  // Both scopes' events: the organization listing holds most, the tenant one (tenant_only=true) the rest.
  const events = generateAuditEvents(2_000, T0, T0 + 3_600, 71);
  before(async () => {
    stack = await startStack();
    stack.openai.addAuditEvents(events);
    stack.openai.addCompletions(generateCompletions(1_000, T0, T0 + 3_600, 72));
  });
  after(async () => { await stack.stop(); });
  const ref = { collectorId: "c", connectorName: "C", apiKeySecretName: "openai-admin-key" };

  for (const scope of ["organization", "tenant"] as const) {
    it(`of audit pages (${scope} scope) resumes after the last recorded page: only the page in flight arrives twice`, async () => {
      const log = memoryLog();
      const listed = events.filter((e) => eventTypeScope(e.type) === scope).length;
      const before = stack.ingestion.rows(AUDIT_LOGS_STREAM).length;
      const input: AuditSliceInput = withDelivery({ ...ref, scope, gte: T0, lt: T0 + 3_600, after: null, maxPages: 30 }, 4, 0, 1);
      void collectAuditSlice({ ...stack.deps, writer: dyingWriter(stack.deps.writer, 2) }, log)(input);
      await waitFor(() => stack.ingestion.rows(AUDIT_LOGS_STREAM).length === before + 200);
      const second = await collectAuditSlice(stack.deps, log)(input);
      const ids = stack.ingestion.rows(AUDIT_LOGS_STREAM).slice(before).map((r) => r.Id);
      assert.deepEqual([second.outcome.kind, second.done, second.pages, second.rowsWritten, ids.length, new Set(ids).size],
        ["ok", true, Math.ceil(listed / 100), listed, listed + 100, listed]);
    });
  }

  it("of completion pages resumes the segment after the last recorded page: only the page in flight arrives twice", async () => {
    const log = memoryLog();
    const input: CompletionSegmentInput = withDelivery({
      ...ref, apiKeySecretName: "openai-project-key", segment: newSegment(0, null, null, null), restartFrom: [], rememberSince: 0, lateAtOrBelow: null, memoryBudget: 14_000, maxPages: 30, countModels: false,
    }, 4, 0, 1);
    void collectChatCompletions({ ...stack.deps, writer: dyingWriter(stack.deps.writer, 3) }, log)(input);
    await waitFor(() => stack.ingestion.rows(CHAT_COMPLETIONS_STREAM).length === 300);
    const second = await collectChatCompletions(stack.deps, log)(input);
    const ids = stack.ingestion.rows(CHAT_COMPLETIONS_STREAM).map((r) => r.Id);
    assert.deepEqual([second.outcome.kind, second.done, second.rowsWritten, ids.length, new Set(ids).size], ["ok", true, 1_000, 1_100, 1_000]);
    // The resumed call reports exactly what one uninterrupted call reports: the segment (progress, memory), counts, densities.
    const uninterrupted = await collectChatCompletions(stack.deps)(input);
    assert.deepEqual(second, uninterrupted);
  });
});

describe("a finished call", () => {
  let stack: Stack;
  const T0 = Date.parse("2026-11-01T00:00:00Z") / 1000;
  before(async () => {
    stack = await startStack();
    stack.openai.addAuditEvents(generateAuditEvents(1_000, T0, T0 + 3_600, 73));
  });
  after(async () => { await stack.stop(); });
  const base = { collectorId: "c", connectorName: "C", apiKeySecretName: "openai-admin-key", gte: T0, lt: T0 + 3_600, after: null };

  it("records the state after every page but its last, which its result carries", async () => {
    const log = memoryLog();
    const input: AuditSliceInput = withDelivery({ ...base, maxPages: 4 }, 5, 0, 2);
    const first = await collectAuditSlice(stack.deps, log)(input);
    const recorded = log.books.get("c")!.runs["5.0"]!.state as { pages: number; rowsWritten: number };
    assert.deepEqual([first.outcome.kind, first.pages, recorded.pages, recorded.rowsWritten], ["ok", 4, 3, 300]);
  });

  it("recorded with its result by the orchestrator (its generation failed), runs again without sending anything", async () => {
    const log = memoryLog();
    const input: AuditSliceInput = withDelivery({ ...base, maxPages: 4 }, 6, 1, 3);
    const first = await collectAuditSlice(stack.deps, log)(input);
    const sent = stack.ingestion.rows(AUDIT_LOGS_STREAM).length;
    await log.record("c", resultRecord(input, first)!);
    const again = await collectAuditSlice(stack.deps, log)(input);
    assert.deepEqual([again, stack.ingestion.rows(AUDIT_LOGS_STREAM).length], [first, sent]);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(condition(), "condition not reached");
}
