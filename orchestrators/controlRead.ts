/**
 * A generation whose first step, reading the collector's entity (`get`), failed. The entity
 * returns the definition and the app's tuning settings; should that fail (a setting the entity
 * cannot read, a platform fault), the orchestrator must not end Failed: it records the failure in
 * its status and counters, backs off like any failed generation (30 s doubling to 15 min; a wake
 * event cuts the wait short), and tries again in the next generation with its cursor unchanged.
 */
import type { Outcome } from "../activities/outcome";
import { redactSecrets } from "../src/redact";
import { decideWait, foldStats, statusOf, type CollectorStatus } from "./generation";
import type { CollectorState } from "./state";

const MAX_REASON_CHARS = 300;

/** The outcome recorded when the entity `get` failed: retriable, with the error's first line. */
export function controlReadOutcome(error: unknown): Outcome {
  const reason = (error instanceof Error ? error.message : String(error)).split("\n")[0]!.trim().slice(0, MAX_REASON_CHARS);
  return { kind: "failed", retriable: true, message: `reading the collector's definition from its entity failed (${redactSecrets(reason)}); retrying with the cursor unchanged` };
}

/**
 * The state, status and wait after a failed entity `get` at `nowMs` (Unix ms): the failure
 * counted, the cursor unchanged, the backoff of a failed generation (seconds). Pure.
 */
export function afterControlReadFailure(state: CollectorState, error: unknown, nowMs: number): { state: CollectorState; status: CollectorStatus; waitSeconds: number } {
  const outcome = controlReadOutcome(error);
  const next: CollectorState = { ...state, stats: foldStats(state.stats, [{ outcome, rowsWritten: 0, pages: 0, duplicates: 0, newestEventAt: null }], new Date(nowMs).toISOString()) };
  // The poll interval is part of the definition that could not be read; a failed outcome never waits for it.
  const wait = decideWait([outcome], false, next.stats.failures, 0);
  return { state: next, status: statusOf(next, null, undefined, wait.state, nowMs, nowMs + wait.seconds * 1000), waitSeconds: wait.seconds };
}
