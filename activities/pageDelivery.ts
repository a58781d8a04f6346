/**
 * Delivery mechanics shared by the page activities, so that no accepted row is sent twice:
 *
 * - **Partly accepted uploads.** {@link PageDelivery.upload} sends a page's rows in order (the
 *   writer stops at the first request that fails); {@link acceptedRowsOf} tells how many leading
 *   rows were accepted before a failure, so the activity can record them as delivered and the next
 *   try skips exactly them.
 * - **Crashes.** After each accepted page the activity hands its small loop state to
 *   {@link PageDelivery.record}; the state is written to the collector's `deliveryProgress` entity
 *   under the call's {@link DeliveryRef}, and the next page is not sent before that write is
 *   durable. A re-delivered call (same input, after a worker died) finds it in
 *   {@link PageDelivery.resumed} and continues from there, so at most the one page that was being
 *   uploaded is sent twice. Writing overlaps the next page's fetch, so throughput is kept.
 *
 * How an activity loop uses it (collectAuditSlice and collectChatCompletions do exactly this):
 * ```ts
 * const delivery = await PageDelivery.open<MyLoopState>(progress, input);   // input.delivery from the orchestrator
 * let state = delivery.resumed ?? startState(input);                         // a re-delivered call continues here
 * try {
 *   for (…each page…) {
 *     try {
 *       await delivery.upload(deps.writer, STREAM, rows);
 *     } catch (error) {
 *       const accepted = acceptedRowsOf(error);                              // leading rows that were accepted
 *       if (accepted > 0) delivery.record(state = withPartlyDelivered(state, rows.slice(0, accepted)));
 *       throw error;                                                         // returned as an outcome, as before
 *     }
 *     delivery.record(state = afterPage(state, page));                       // only now does the cursor move
 *   }
 * } finally {
 *   await delivery.close();
 * }
 * ```
 * The loop state must be JSON, small (cursors, counts, id digests: never rows, never keys) and
 * hold everything the activity's result reports, since a resumed call returns it.
 */
import { createHash } from "node:crypto";
import { progressOf, type DeliveryRef, type ProgressRecord } from "../src/delivery/progress";
import type { ProgressLog } from "../src/delivery/progressLog";
import { isSentinelError } from "../src/sentinel/failures";
import type { CollectorRef, RowWriter } from "./deps";

/** Leading rows of a failed upload that the Logs Ingestion API accepted (0 for any other error). */
export function acceptedRowsOf(error: unknown): number {
  return isSentinelError(error) ? error.acceptedRows : 0;
}

/** Digest of an activity input: a progress record applies only to the exact input that wrote it. */
export function inputDigest(input: unknown): string {
  return createHash("sha1").update(JSON.stringify(input)).digest("base64url");
}

/** One activity call's delivery: its resumed state, ordered uploads and durable progress. */
export class PageDelivery<S> {
  private pending: Promise<void> = Promise.resolve();
  private failedRecords = 0;

  private constructor(
    private readonly log: ProgressLog | undefined,
    private readonly collectorId: string,
    private readonly ref: DeliveryRef | undefined,
    private readonly digest: string,
    /** The state an earlier run of this same call recorded, or undefined on a first run. */
    readonly resumed: S | undefined,
  ) {}

  /**
   * Opens the call's delivery. Without a log or a `delivery` ref in the input (unit tests, old
   * orchestration histories) nothing is recorded or resumed. A failed read starts from the input:
   * at worst pages are sent again, never skipped.
   */
  static async open<S>(log: ProgressLog | undefined, input: CollectorRef): Promise<PageDelivery<S>> {
    const ref = input.delivery;
    if (!log || !ref) return new PageDelivery<S>(undefined, input.collectorId, undefined, "", undefined);
    const digest = inputDigest(input);
    const book = await log.read(input.collectorId).catch(() => undefined);
    return new PageDelivery<S>(log, input.collectorId, ref, digest, progressOf(book, ref, digest) as S | undefined);
  }

  /**
   * Uploads one page's rows in order, after the previous page's progress is durable. Throws what
   * the writer throws; {@link acceptedRowsOf} tells how many leading rows were accepted.
   */
  async upload(writer: RowWriter, streamName: string, rows: readonly Record<string, unknown>[]): Promise<void> {
    await this.pending;
    await writer.upload(streamName, rows);
  }

  /** Records `state` (JSON) as this call's progress; written in order, awaited by the next upload. */
  record(state: S): void {
    if (!this.log || !this.ref) return;
    const log = this.log;
    const record: ProgressRecord = { runId: this.ref.runId, scheduledAt: this.ref.scheduledAt, input: this.digest, state };
    this.pending = this.pending.then(() => log.record(this.collectorId, record)).catch(() => { this.failedRecords++; });
  }

  /** Waits for the last record. Resolves to how many records could not be written (they only cost re-sends after a crash). */
  async close(): Promise<number> {
    await this.pending;
    return this.failedRecords;
  }
}
