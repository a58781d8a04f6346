/**
 * Crash-safe page progress: the book keeps the newest schedulings' runs, a record applies only to
 * the exact run and input that wrote it, and a re-delivered activity call (same input, after its
 * worker died mid-upload) re-sends only the page that was in flight — over the real clients and fakes.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { collectAuditSlice, type AuditSliceInput } from "../../activities/collectAuditSlice";
import { collectChatCompletions, type CompletionSegmentInput } from "../../activities/collectChatCompletions";
import type { RowWriter } from "../../activities/deps";
import { AUDIT_LOGS_STREAM, CHAT_COMPLETIONS_STREAM } from "../../src/config";
import { newSegment } from "../../src/cursors/completionSweep";
import { EMPTY_BOOK, progressOf, recordProgress, type ProgressBook, type ProgressRecord } from "../../src/delivery/progress";
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
    assert.deepEqual([progressOf(book, { runId: "3.0", scheduledAt: 30 }, "in-3.0"), progressOf(book, { runId: "3.0", scheduledAt: 31 }, "in-3.0"),
      progressOf(book, { runId: "3.0", scheduledAt: 30 }, "other input"), progressOf(undefined, { runId: "3.0", scheduledAt: 30 }, "in-3.0")], [{ after: "x" }, undefined, undefined, undefined]);
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
  before(async () => {
    stack = await startStack();
    stack.openai.addAuditEvents(generateAuditEvents(1_000, T0, T0 + 3_600, 71));
    stack.openai.addCompletions(generateCompletions(1_000, T0, T0 + 3_600, 72));
  });
  after(async () => { await stack.stop(); });
  const ref = { collectorId: "c", connectorName: "C", apiKeySecretName: "openai-admin-key", delivery: { runId: "4.0", scheduledAt: 1 } };

  it("of audit pages resumes after the last recorded page: only the page in flight arrives twice", async () => {
    const log = memoryLog();
    const input: AuditSliceInput = { ...ref, gte: T0, lt: T0 + 3_600, after: null, maxPages: 10 };
    void collectAuditSlice({ ...stack.deps, writer: dyingWriter(stack.deps.writer, 4) }, log)(input);
    await waitFor(() => stack.ingestion.rows(AUDIT_LOGS_STREAM).length === 400);
    const second = await collectAuditSlice(stack.deps, log)(input);
    const ids = stack.ingestion.rows(AUDIT_LOGS_STREAM).map((r) => r.Id);
    assert.deepEqual([second.outcome.kind, second.done, second.pages, second.rowsWritten, ids.length, new Set(ids).size], ["ok", true, 10, 1_000, 1_100, 1_000]);
  });

  it("of completion pages resumes the segment after the last recorded page: only the page in flight arrives twice", async () => {
    const log = memoryLog();
    const input: CompletionSegmentInput = {
      ...ref, apiKeySecretName: "openai-project-key", segment: newSegment(0, null, null, null), restartFrom: [], rememberSince: 0, lateAtOrBelow: null, memoryBudget: 14_000, maxPages: 30, countModels: false,
    };
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

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(condition(), "condition not reached");
}
