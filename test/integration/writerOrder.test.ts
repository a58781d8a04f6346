/**
 * The writer over the real LogsIngestionClient and the local endpoint: a batch that needs several
 * requests is sent in order, and a failure says how many leading rows were accepted before it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AUDIT_LOGS_STREAM } from "../../src/config";
import { chunkRows } from "../../src/sentinel/chunking";
import { isSentinelError } from "../../src/sentinel/failures";
import { startStack, type Stack } from "../fakes/stack";

const rows = Array.from({ length: 100 }, (_, i) => ({ TimeGenerated: "2026-11-25T10:00:00.000Z", Id: `row-${i}`, EventType: "login.failed", EventDetails: { error_message: "x".repeat(30_000) } }));

describe("SentinelWriter.upload", () => {
  let stack: Stack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack.stop(); });

  it("sends the requests of one batch in order and reports the accepted prefix when one fails for good", async () => {
    const chunks = chunkRows(rows);
    assert.ok(chunks.length >= 3, `${chunks.length} chunks`);
    stack.ingestion.injectFault({ status: 503 }, 4, 2); // the third request fails on every SDK attempt
    const error: unknown = await stack.deps.writer.upload(AUDIT_LOGS_STREAM, rows).then(() => undefined, (e: unknown) => e);
    const accepted = chunks[0]!.length + chunks[1]!.length;
    assert.deepEqual([isSentinelError(error), isSentinelError(error) ? error.acceptedRows : -1, isSentinelError(error) ? error.failure.kind : ""], [true, accepted, "retriable"]);
    assert.deepEqual(stack.ingestion.rows(AUDIT_LOGS_STREAM).map((r) => r.Id), rows.slice(0, accepted).map((r) => r.Id));
    // The retry from the accepted prefix completes the batch without a duplicate.
    await stack.deps.writer.upload(AUDIT_LOGS_STREAM, rows.slice(accepted));
    assert.deepEqual(stack.ingestion.rows(AUDIT_LOGS_STREAM).map((r) => r.Id), rows.map((r) => r.Id));
  });
});
