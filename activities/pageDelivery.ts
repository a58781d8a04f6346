/**
 * Delivery mechanics shared by the page activities, so that no accepted row is sent twice:
 *
 * - **Partly accepted uploads.** {@link PageDelivery.upload} sends a page's rows in order (the
 *   writer stops at the first request that fails); {@link acceptedRowsOf} tells how many leading
 *   rows were accepted before a failure, so the activity counts them as delivered in the result
 *   it returns and the next try skips exactly them.
 * - **Crashes and lost calls.** After an accepted page that another upload of the same call
 *   follows, the activity hands its small loop state to {@link PageDelivery.record}; the state is
 *   written to the collector's `deliveryProgress` entity under the call's {@link DeliveryRef}, and
 *   the next page is not sent before that write is durable. A call run again with the same input
 *   (re-delivered after its instance died, or its generation retried after the platform lost a
 *   call) finds it in {@link PageDelivery.resumed} and continues from there, so at most the one
 *   page that was being uploaded is sent twice. The record overlaps the next page's fetch, and the
 *   read that opens a call overlaps its first fetch, so throughput is kept. Nothing is recorded
 *   after a call's last page or a partly accepted one: the result carries that state (and when
 *   the generation fails, the orchestrator records the finished calls' results,
 *   src/delivery/progress.ts `resultRecord`).
 *
 * How an activity loop uses it (collectAuditSlice and collectChatCompletions do exactly this):
 * ```ts
 * let first = prefetch(() => fetchPage(input.after));                         // while the record is read
 * const delivery = await PageDelivery.open<MyLoopState>(progress, input);   // input.delivery from the orchestrator
 * let state = delivery.resumed ?? startState(input);                         // a call run again continues here
 * if (delivery.resumed) first = prefetch(() => fetchPage(state.after));
 * try {
 *   for (…each page…) {
 *     try {
 *       await delivery.upload(deps.writer, STREAM, rows);
 *     } catch (error) {
 *       state = withPartlyDelivered(state, rows.slice(0, acceptedRowsOf(error)));  // leading rows that were accepted
 *       throw error;                                                         // returned as an outcome, with the state
 *     }
 *     state = afterPage(state, page);                                        // only now does the cursor move
 *     if (another page follows in this call) delivery.record(state);
 *   }
 * } finally {
 *   await delivery.close();
 * }
 * ```
 * The loop state must be JSON, small (cursors, counts, id digests: never rows, never keys) and
 * hold everything the activity's result reports but its outcome: a resumed call returns it, and
 * the orchestrator records a finished call's result as that state.
 */
import { progressOf, progressRecord, type DeliveryRef } from "../src/delivery/progress";
import type { ProgressLog } from "../src/delivery/progressLog";
import { isSentinelError } from "../src/sentinel/failures";
import type { CollectorRef, RowWriter } from "./deps";

/** Leading rows of a failed upload that the Logs Ingestion API accepted (0 for any other error). */
export function acceptedRowsOf(error: unknown): number {
  return isSentinelError(error) ? error.acceptedRows : 0;
}

/** One activity call's delivery: its resumed state, ordered uploads and durable progress. */
export class PageDelivery<S> {
  private pending: Promise<void> = Promise.resolve();
  private failedRecords = 0;

  private constructor(
    private readonly log: ProgressLog | undefined,
    private readonly collectorId: string,
    private readonly ref: DeliveryRef | undefined,
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
    if (!log || !ref) return new PageDelivery<S>(undefined, input.collectorId, undefined, undefined);
    const book = await log.read(input.collectorId).catch(() => undefined);
    return new PageDelivery<S>(log, input.collectorId, ref, progressOf(book, ref) as S | undefined);
  }

  /**
   * Uploads one page's rows in order, after the previous page's progress is durable. Throws what
   * the writer throws; {@link acceptedRowsOf} tells how many leading rows were accepted.
   */
  async upload(writer: RowWriter, streamName: string, rows: readonly Record<string, unknown>[]): Promise<void> {
    await this.pending;
    await writer.upload(streamName, rows);
  }

  /**
   * Records `state` (JSON) as this call's progress, to be durable before the next upload starts
   * (which awaits it); call it after an accepted page that another upload of this call follows.
   */
  record(state: S): void {
    if (!this.log || !this.ref) return;
    const log = this.log;
    const record = progressRecord(this.ref, state);
    this.pending = this.pending.then(() => log.record(this.collectorId, record)).catch(() => { this.failedRecords++; });
  }

  /** Waits for the last record. Resolves to how many records could not be written (they only cost re-sends after a crash). */
  async close(): Promise<number> {
    await this.pending;
    return this.failedRecords;
  }
}
