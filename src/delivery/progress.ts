/**
 * Crash-safe page progress, the pure part. A page activity may run more than once for one
 * scheduling: when a worker dies (a crash, a deployment, a scale-in) the Durable extension delivers
 * the activity message again with the same input, and the embedded host re-runs the activities it
 * had scheduled when it restarts. Without memory of what the first run delivered, the second would
 * upload every page again. So after each accepted page an activity records its small loop state
 * (cursor, counts, digests; never rows or keys) in a per-collector durable entity, under the
 * scheduling's {@link DeliveryRef}, and a run that finds a record for its own ref and input resumes
 * from it. Used by `activities/pageDelivery.ts`; the entity is `progressEntity.ts`.
 */

/**
 * Names one scheduled activity call. The orchestrator builds it (deterministically) into the
 * activity input, so a re-delivered message carries the same ref and a new scheduling a new one.
 */
export interface DeliveryRef {
  /** Unique per scheduling within a collector: `<generation>.<task index>`. */
  readonly runId: string;
  /** Orchestration time of the scheduling, ms since the epoch; records of older schedulings are dropped. */
  readonly scheduledAt: number;
}

/** The ref of task `task` of generation `generation`, scheduled at orchestration time `scheduledAtMs`. */
export function deliveryRef(generation: number, task: number, scheduledAtMs: number): DeliveryRef {
  return { runId: `${generation}.${task}`, scheduledAt: scheduledAtMs };
}

/** One run's latest recorded loop state. */
export interface ProgressEntry {
  readonly scheduledAt: number;
  /** Digest of the run's whole input: a record only applies to exactly the input that wrote it. */
  readonly input: string;
  /** The activity's own loop state (JSON). */
  readonly state: unknown;
}

/** The progress entity's state: the latest entry per run of the newest schedulings. */
export interface ProgressBook {
  readonly runs: Readonly<Record<string, ProgressEntry>>;
}

/** What a run records after each accepted page. */
export interface ProgressRecord extends ProgressEntry {
  readonly runId: string;
}

/** An empty book. */
export const EMPTY_BOOK: ProgressBook = { runs: {} };

/**
 * The book after `record`. Entries of schedulings older than the record's are dropped: the
 * orchestrator schedules a generation only after every activity of the previous one returned, so
 * they can no longer be re-delivered (and if one were, it would merely start from its input).
 */
export function recordProgress(book: ProgressBook, record: ProgressRecord): ProgressBook {
  const runs: Record<string, ProgressEntry> = {};
  for (const [runId, entry] of Object.entries(book.runs)) if (entry.scheduledAt >= record.scheduledAt && runId !== record.runId) runs[runId] = entry;
  runs[record.runId] = { scheduledAt: record.scheduledAt, input: record.input, state: record.state };
  return { runs };
}

/** The state recorded by a run with `ref` and exactly the input digest `input`, or undefined. */
export function progressOf(book: ProgressBook | undefined, ref: DeliveryRef, input: string): unknown {
  const entry = book?.runs[ref.runId];
  return entry && entry.scheduledAt === ref.scheduledAt && entry.input === input ? entry.state : undefined;
}
