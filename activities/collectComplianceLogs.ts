/**
 * Moves one compliance-log stream (one event type at one scope) into Sentinel: list log files
 * after the cursor (re-listing a small overlap for files published late), and for each file not
 * delivered yet download it (redirect to a signed URL, streamed to a temporary file, SHA-256
 * verified before anything is parsed), read it line by line, upload its rows in bounded batches,
 * and only then record it. The cursor passes a page only once every file on it was delivered; a
 * file an upload failure cut short resumes at its first undelivered line; `event_id`s of types
 * that repeat them (COSTS) are de-duplicated. Message text (CONVERSATION_MESSAGE) is ingested only
 * when the collector opted in, and never appears in a message or log line.
 *
 * Delivery goes through {@link PageDelivery} as for audit and chat: after each accepted batch and
 * each completed file, the call's state (the cursor with its partial file, and the counts) is
 * recorded in the `deliveryProgress` entity, so a call run again with the same input (its instance
 * died, or its generation was retried after the platform lost a call) resumes at the first line
 * not accepted; a batch the Logs Ingestion API accepted in part resumes after its accepted rows.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CHATGPT_COMPLIANCE_LOGS_STREAM, CHATGPT_COSTS_STREAM } from "../src/config";
import { eventTypeInfo } from "../src/compliance/eventTypes";
import { compareIso, isIsoInstant, isoToUnixSeconds } from "../src/compliance/isoTime";
import { parseRecord, readLines } from "../src/compliance/jsonLines";
import { assertForward, entry, entryDigest, listFrom, pageDelivered, pruneCursor, type LogFileCursor } from "../src/compliance/logFileCursor";
import type { LogFile } from "../src/compliance/logFiles";
import type { ComplianceStream } from "../src/compliance/streams";
import { OpenAIError } from "../src/openai/failures";
import { PaginationLoopError } from "../src/openai/paging";
import { redactSecrets } from "../src/redact";
import type { JsonObject } from "../src/openai/types";
import { toChatGPTCostRow, toComplianceLogRow, type ComplianceRowOrigin } from "../src/rows/complianceLogRow";
import { isSentinelError, SentinelError } from "../src/sentinel/failures";
import { withApiKey } from "./apiKey";
import type { ProgressLog } from "../src/delivery/progressLog";
import type { CollectDeps, CollectorRef } from "./deps";
import { idDigest } from "./idDigest";
import { outcomeOf, type Outcome } from "./outcome";
import { acceptedRowsOf, PageDelivery } from "./pageDelivery";

/** Rows uploaded per batch at most (a batch is one upload call; the writer splits it into ≤ 1 MB requests). */
export const BATCH_MAX_ROWS = 2_000;
/** Source bytes (JSON Lines text) per batch at most, so a batch's memory is bounded whatever the file size. */
export const BATCH_MAX_SOURCE_BYTES = 2_000_000;
/**
 * Wall time one call works at most before it returns its progress (ms): no new file is started
 * after it, and a file in progress pauses after its current batch and resumes at its next line in
 * the next call, so a call stays far inside the Functions timeout (30 min on Flex Consumption)
 * whatever the files' sizes.
 */
export const ACTIVITY_TIME_BUDGET_MS = 5 * 60_000;

/** Input of one compliance-stream activity. Small and key-free: it is stored in orchestration history. */
export interface ComplianceStreamInput extends CollectorRef {
  readonly stream: ComplianceStream;
  readonly cursor: LogFileCursor;
  /** ISO-8601 start of the collector: nothing ending before it is listed. */
  readonly origin: string;
  /** Seconds each listing re-reads before the cursor (late-published files). */
  readonly overlapSeconds: number;
  /** Listing pages to read in this call at most. */
  readonly maxPages: number;
  /** Files to ingest in this call at most. */
  readonly maxFiles: number;
  /** The collector opted in to records that hold user content (CONVERSATION_MESSAGE). */
  readonly userContentAllowed: boolean;
}

/** Result of one compliance-stream activity: a cursor and counts, never records. */
export interface ComplianceStreamResult {
  readonly outcome: Outcome;
  readonly cursor: LogFileCursor;
  /** True when the listing said it has no more files (the stream is caught up). */
  readonly done: boolean;
  /** Listing pages read. */
  readonly pages: number;
  /** Files ingested completely. */
  readonly files: number;
  readonly rowsWritten: number;
  /** Events the source repeated (same `event_id`, COSTS), skipped. */
  readonly duplicates: number;
  /** Files listed again (the boundary file, the overlap) and skipped without a download. */
  readonly relisted: number;
  /** Records held back because they carry user content the collector did not opt in to. */
  readonly withheld: number;
  /** Newest event time delivered, Unix seconds. */
  readonly newestEventAt: number | null;
}

/** What one call has delivered so far: its result without the outcome (recorded after each accepted batch, see pageDelivery.ts). */
type ComplianceProgress = Omit<ComplianceStreamResult, "outcome">;

/** Options of the activity factory. */
export interface ComplianceActivityOptions {
  /** Where downloads are spooled (default: the OS temporary folder). */
  readonly tempDir?: string;
}

/** Unix seconds of an ISO-8601 value, or `fallback` when it is not one. */
function secondsOf(value: unknown, fallback: number): number {
  return isIsoInstant(value) ? isoToUnixSeconds(value) : fallback;
}

/** A Logs Ingestion error about rows that hold message text keeps only where it happened, not the service's words. */
function withoutServiceDetail(error: unknown): unknown {
  if (!isSentinelError(error)) return error;
  const where = error.failure.message.split(": ")[0] ?? "Logs Ingestion";
  return new SentinelError({ ...error.failure, message: `${where}: upload failed (${error.failure.kind}); the service's detail is not kept because these rows hold message text` });
}

/** The outcome of a known failure; anything else (a full disk, a bug) is a retriable failure that keeps the progress made. */
function outcomeOrFailure(error: unknown): Outcome {
  try {
    return outcomeOf(error);
  } catch {
    return { kind: "failed", retriable: true, message: `unexpected error: ${redactSecrets((error as Error)?.message ?? String(error))}` };
  }
}

/** Creates the compliance-stream activity handler over its dependencies; `progress` makes it crash-safe. */
export function collectComplianceLogs(deps: CollectDeps, options: ComplianceActivityOptions = {}, progress?: ProgressLog) {
  return async (input: ComplianceStreamInput): Promise<ComplianceStreamResult> => {
    const { stream } = input;
    const info = eventTypeInfo(stream.eventType);
    const table = info.table === "costs" ? CHATGPT_COSTS_STREAM : CHATGPT_COMPLIANCE_LOGS_STREAM;
    const toRow = info.table === "costs" ? toChatGPTCostRow : toComplianceLogRow;
    const delivery = await PageDelivery.open<ComplianceProgress>(progress, input);
    // A call run again with the same input continues from what its earlier run recorded.
    const resumed = delivery.resumed;
    let cursor = resumed?.cursor ?? input.cursor;
    const delivered = new Map(cursor.delivered.map((e) => [entryDigest(e), e]));
    const seen = new Map(cursor.seen.map((e) => [entryDigest(e), e]));
    let { pages, files, rowsWritten, duplicates, relisted, withheld } = resumed ?? { pages: 0, files: 0, rowsWritten: 0, duplicates: 0, relisted: 0, withheld: 0 };
    let newestEventAt: number | null = resumed?.newestEventAt ?? null;
    if (resumed?.done) return { outcome: { kind: "ok" }, ...resumed };
    const snapshot = (): LogFileCursor => pruneCursor({ ...cursor, delivered: [...delivered.values()], seen: [...seen.values()] }, input.origin, input.overlapSeconds);
    const state = (done: boolean): ComplianceProgress => {
      const next = snapshot();
      assertForward(input.cursor, next, `${stream.scope} ${stream.scopeId} ${stream.eventType}`);
      return { cursor: next, done, pages, files, rowsWritten, duplicates, relisted, withheld, newestEventAt };
    };
    const result = (outcome: Outcome, done: boolean): ComplianceStreamResult => ({ outcome, ...state(done) });
    const withKey = <T>(work: (key: string) => Promise<T>) => withApiKey(deps.secrets, input.apiKeySecretName, work);

    const startedAt = deps.now();
    const outOfTime = () => deps.now() - startedAt >= ACTIVITY_TIME_BUDGET_MS;

    /**
     * Ingests one downloaded file from its first undelivered line; the cursor records every
     * uploaded batch. Returns false when the call ran out of time inside the file (it resumes next call).
     */
    const ingest = async (file: LogFile, digest: string, spooled: string): Promise<boolean> => {
      const skip = cursor.partial?.file === digest ? cursor.partial.lines : 0;
      const fileEnd = isoToUnixSeconds(file.endTime);
      let batch: Record<string, unknown>[] = [];
      // Per row of the batch: its line, and its event id's entry when the type repeats ids (a partly accepted batch counts its accepted rows only).
      let rowLines: number[] = [];
      let rowEntries: Array<readonly [string, string] | undefined> = [];
      let staged = new Map<string, string>();
      let batchBytes = 0, lastLine = skip;
      const flush = async () => {
        if (batch.length > 0) {
          try {
            await delivery.upload(deps.writer, table, batch);
          } catch (error) {
            // A partly accepted batch: its accepted rows are delivered, the file resumes after the last of them.
            const accepted = acceptedRowsOf(error);
            if (accepted > 0) {
              rowsWritten += accepted;
              for (const e of rowEntries.slice(0, accepted)) if (e) seen.set(e[0], e[1]);
              cursor = { ...cursor, partial: { file: digest, lines: rowLines[accepted - 1]! } };
            }
            throw info.userContent ? withoutServiceDetail(error) : error;
          }
          // Delivered: only now are the rows and their event ids counted.
          rowsWritten += batch.length;
          for (const [d, e] of staged) seen.set(d, e);
        }
        cursor = { ...cursor, partial: { file: digest, lines: lastLine } };
        batch = [];
        rowLines = [];
        rowEntries = [];
        staged = new Map();
        batchBytes = 0;
      };
      const collectedAt = new Date(deps.now()).toISOString();
      for await (const line of readLines(spooled, skip)) {
        lastLine = line.line;
        let record: JsonObject | undefined;
        try {
          record = parseRecord(line, file.id);
        } catch (error) {
          throw new OpenAIError({ kind: "fatal", status: undefined, message: `${(error as Error).message}; the file cannot be ingested` });
        }
        if (record === undefined) continue;
        if ((info.userContent || eventTypeInfo(typeof record.type === "string" ? record.type : stream.eventType).userContent) && !input.userContentAllowed) {
          withheld++;
          continue;
        }
        const eventSeconds = secondsOf(record.timestamp, fileEnd);
        if (info.repeatsEventIds && typeof record.event_id === "string") {
          const d = idDigest(record.event_id);
          if (seen.has(d) || staged.has(d)) {
            duplicates++;
            continue;
          }
          staged.set(d, entry(eventSeconds, d));
        }
        rowLines.push(line.line);
        rowEntries.push(info.repeatsEventIds && typeof record.event_id === "string" ? [idDigest(record.event_id), staged.get(idDigest(record.event_id))!] : undefined);
        const origin: ComplianceRowOrigin = { connectorName: input.connectorName, collectorId: input.collectorId, collectedAt, logFileId: file.id, logFileEndTime: file.endTime, scope: stream.scope, line: line.line };
        batch.push(toRow(record, origin));
        newestEventAt = Math.max(newestEventAt ?? eventSeconds, eventSeconds);
        batchBytes += line.text.length;
        if (batch.length >= BATCH_MAX_ROWS || batchBytes >= BATCH_MAX_SOURCE_BYTES) {
          await flush();
          if (outOfTime()) return false;
          delivery.record(state(false));
        }
      }
      await flush();
      delivered.set(digest, entry(fileEnd, digest));
      cursor = { ...cursor, partial: null };
      files++;
      return true;
    };

    let spoolDir: string | undefined;
    try {
      spoolDir = await fs.promises.mkdtemp(path.join(options.tempDir ?? os.tmpdir(), "chatgpt-compliance-"));
      let after = listFrom(cursor, input.origin, input.overlapSeconds);
      while (pages < input.maxPages) {
        const listed = after;
        const page = await withKey((key) => deps.compliance.listLogFiles(key, { ...stream, after: listed }));
        pages++;
        if (page.hasMore && (page.lastEndTime === null || compareIso(page.lastEndTime, listed) <= 0)) {
          throw new PaginationLoopError(`${stream.eventType} listing after ${listed} says has_more but its last_end_time (${page.lastEndTime}) does not move; refusing to loop`);
        }
        for (const file of page.files) {
          const digest = idDigest(file.id);
          if (delivered.has(digest)) {
            relisted++;
            continue;
          }
          if (files >= input.maxFiles || (files > 0 && outOfTime())) return result({ kind: "ok" }, false);
          const spooled = path.join(spoolDir, `${digest}.jsonl`);
          await withKey((key) => deps.compliance.downloadLogFile(key, stream, file, spooled));
          let complete: boolean;
          try {
            complete = await ingest(file, digest, spooled);
          } finally {
            await fs.promises.rm(spooled, { force: true });
          }
          if (!complete) return result({ kind: "ok" }, false);
          delivery.record(state(false));
        }
        cursor = pageDelivered(cursor, page.lastEndTime);
        if (!page.hasMore) return result({ kind: "ok" }, true);
        after = page.lastEndTime!;
      }
      return result({ kind: "ok" }, false);
    } catch (error) {
      return result(outcomeOrFailure(error), false);
    } finally {
      await delivery.close();
      if (spoolDir) await fs.promises.rm(spoolDir, { recursive: true, force: true });
    }
  };
}
