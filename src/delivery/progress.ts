/**
 * Crash-safe page progress, the pure part. A page activity may run more than once for one
 * scheduling: when a whole instance dies (a crash, a deployment, a scale-in) the Durable extension
 * delivers the activity message again with the same input, the embedded host re-runs the
 * activities it had scheduled when it restarts, and a generation whose activity the platform lost
 * is run again with the same inputs (orchestrators/taskFailure.ts). Without memory of what the
 * first run delivered, the second would upload every page again. So after each accepted page that
 * another upload of the same call follows, an activity records its small loop state (cursor,
 * counts, digests; never rows or keys) in a per-collector durable entity, under the scheduling's
 * {@link DeliveryRef}, and a run that finds a record for its own ref resumes from it. The state
 * after a call's last page is its result, which reaches the orchestrator; when the generation
 * fails, the orchestrator records the results of the calls that finished ({@link resultRecord}),
 * so their runs again send nothing. Pure (no Node built-ins): orchestrators use it. Used by
 * `activities/pageDelivery.ts`; the entity is `progressEntity.ts`.
 */

/**
 * Names one scheduled activity call. The orchestrator builds it (deterministically) into the
 * activity input, so a call run again with the same input carries the same ref and a new
 * scheduling a new one.
 */
export interface DeliveryRef {
  /** Unique per scheduling within a collector: `<generation>.<task index>`. */
  readonly runId: string;
  /** Orchestration time of the scheduling, ms since the epoch; records of older schedulings are dropped. */
  readonly scheduledAt: number;
  /**
   * {@link deliveryDigest} of the rest of the input: a record applies only to the exact input that
   * wrote it (a definition changed between a failed generation and its retry plans other inputs).
   * Carried in the input rather than computed by the activity, so the orchestrator's records match
   * whatever the engine's JSON layer does to the input on its way.
   */
  readonly digest: string;
}

/**
 * 64 bits (16 hex digits) of two FNV-1a lanes over the JSON text of `value`, each finished with
 * MurmurHash3's fmix32. Not cryptographic: it only tells apart inputs under one ref.
 */
export function deliveryDigest(value: unknown): string {
  const text = JSON.stringify(value) ?? "";
  let a = 0x811c9dc5, b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  const fmix = (h: number) => {
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return (h >>> 0).toString(16).padStart(8, "0");
  };
  return fmix(a) + fmix(b ^ text.length);
}

/**
 * The input of task `task` of generation `generation`, scheduled at orchestration time
 * `scheduledAtMs`: `input` with its {@link DeliveryRef}.
 */
export function withDelivery<T extends object>(input: T, generation: number, task: number, scheduledAtMs: number): T & { readonly delivery: DeliveryRef } {
  return { ...input, delivery: { runId: `${generation}.${task}`, scheduledAt: scheduledAtMs, digest: deliveryDigest(input) } };
}

/** One run's latest recorded loop state. */
export interface ProgressEntry {
  readonly scheduledAt: number;
  /** The {@link DeliveryRef.digest} of the run's input: a record only applies to exactly the input that wrote it. */
  readonly input: string;
  /** The activity's own loop state (JSON). */
  readonly state: unknown;
}

/** The progress entity's state: the latest entry per run of the newest schedulings. */
export interface ProgressBook {
  readonly runs: Readonly<Record<string, ProgressEntry>>;
}

/** What a run records after an accepted page. */
export interface ProgressRecord extends ProgressEntry {
  readonly runId: string;
}

/** An empty book. */
export const EMPTY_BOOK: ProgressBook = { runs: {} };

/**
 * The book after `record`. Entries of schedulings older than the record's are dropped: the
 * orchestrator schedules a generation only after every activity of the previous one ended, so
 * they can no longer run again (and if one did, it would merely start from its input). A retried
 * generation keeps its scheduling time, so its records survive.
 */
export function recordProgress(book: ProgressBook, record: ProgressRecord): ProgressBook {
  const runs: Record<string, ProgressEntry> = {};
  for (const [runId, entry] of Object.entries(book.runs)) if (entry.scheduledAt >= record.scheduledAt && runId !== record.runId) runs[runId] = entry;
  runs[record.runId] = { scheduledAt: record.scheduledAt, input: record.input, state: record.state };
  return { runs };
}

/** The state recorded by a run with `ref` (same scheduling, same input digest), or undefined. */
export function progressOf(book: ProgressBook | undefined, ref: DeliveryRef): unknown {
  const entry = book?.runs[ref.runId];
  return entry && entry.scheduledAt === ref.scheduledAt && entry.input === ref.digest ? entry.state : undefined;
}

/** The record of `state` for the run `ref`. */
export function progressRecord(ref: DeliveryRef, state: unknown): ProgressRecord {
  return { runId: ref.runId, scheduledAt: ref.scheduledAt, input: ref.digest, state };
}

/**
 * What the orchestrator records for a call that finished while another call of its generation was
 * lost: its result without the outcome, the state its run again resumes from (and returns at once
 * when the call was done). Undefined for an input without a ref (a call that uploads nothing).
 */
export function resultRecord(input: { readonly delivery?: DeliveryRef }, result: { readonly outcome: unknown }): ProgressRecord | undefined {
  if (!input.delivery) return undefined;
  const { outcome: _outcome, ...state } = result;
  return progressRecord(input.delivery, state);
}
