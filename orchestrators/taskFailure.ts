/**
 * A page activity that failed outside the app's code. Activities return every upstream problem
 * as an outcome, so a failed task only comes from the platform — on the real engine, a Node
 * worker that exits mid-activity is reported to the orchestrator as the activity's failure
 * ("Activity function 'collectAuditSlice' failed: node exited with code 137"; the extension
 * retries such invocations only for .NET isolated and Java workers).
 *
 * The generation then waits until every activity it scheduled has ended ({@link fanOut}: none of
 * them may still run when it is scheduled again), keeps its state (the cursor does not move past
 * pages whose result was lost), backs off, and runs again *as the same generation*: it plans at
 * the time it first planned ({@link generationPlan}), so it schedules exactly the same activity
 * inputs — same delivery refs, same input digests — and each call resumes from the progress it
 * recorded in the `deliveryProgress` entity (activities/pageDelivery.ts). A lost call re-sends at
 * most the page it was uploading. The calls that finished are recorded here with their results
 * ({@link keepFinished}), so they return them again and send nothing. Re-planning at the new time
 * would cut other audit slices and start another chat pass, and no record would apply. Nothing is
 * lost; the instance never ends Failed.
 */
import * as df from "durable-functions";
import type { OrchestrationContext } from "durable-functions";
import type { Outcome } from "../activities/outcome";
import { resultRecord, type DeliveryRef } from "../src/delivery/progress";
import { redactSecrets } from "../src/redact";
import { DELIVERY_PROGRESS_ENTITY } from "./names";
import { foldStats } from "./generation";
import type { CollectorState } from "./state";

const MAX_REASON_CHARS = 300;

/** Which generation is planned, and at what orchestration time: the activity inputs follow from these and the state. */
export interface GenerationPlan {
  /** The generation number (names the delivery refs). */
  readonly generation: number;
  /** Orchestration time the activities are planned at, ms since the epoch. */
  readonly atMs: number;
}

/** The plan of the generation about to run: a retried one plans at its first time again. */
export function generationPlan(state: CollectorState, nowMs: number): GenerationPlan {
  return { generation: state.generation ?? 0, atMs: state.retry?.plannedAt ?? nowMs };
}

/** The state after a generation that ran through: the next one is planned afresh. */
export function afterGeneration(next: CollectorState, plan: GenerationPlan): CollectorState {
  const { retry: _done, ...rest } = next;
  return { ...rest, generation: plan.generation + 1 };
}

/**
 * Schedules `tasks` at once and waits for all of them. Unlike a bare `Task.all`, which rejects at
 * the first failure while the others still run, it then waits for each task still running, hands
 * `onFailure` the results (undefined for the tasks that failed) and throws the first failure, so
 * a retry of the generation never runs beside a call of the same input. The tasks still running
 * are awaited one by one: they were scheduled by the `Task.all` already (the SDK marks them so),
 * whereas a new `Task.all` over them would schedule them again. Deterministic: which tasks have
 * ended when the orchestrator resumes is fixed by the history.
 */
export function* fanOut(context: OrchestrationContext, tasks: readonly df.Task[], onFailure?: (results: readonly unknown[]) => void): Generator<df.Task, unknown[], unknown> {
  if (tasks.length === 0) return [];
  let failure: unknown;
  try {
    return (yield context.df.Task.all([...tasks])) as unknown[];
  } catch (error) {
    failure = error;
  }
  for (const task of tasks) {
    if (task.isCompleted || task.isFaulted) continue;
    try {
      yield task;
    } catch {
      // The generation fails with the first failure already; this one only had to end.
    }
  }
  onFailure?.(tasks.map((t) => (t.isCompleted ? t.result : undefined)));
  throw failure;
}

/**
 * Records, in the collector's `deliveryProgress` entity, the result of each call of a failed
 * generation that finished (`results[i]` for `inputs[i]`; undefined for a call that was lost), so
 * that the retry's run of that call returns it again and sends nothing: a call records no state
 * after its last page, whose state is its result (activities/pageDelivery.ts). Calls without a
 * delivery ref (they upload nothing) are skipped. The signals reach the entity before the retry's
 * calls read it: the generation backs off first (at least 30 s).
 */
export function keepFinished(context: OrchestrationContext, collectorId: string, inputs: readonly { readonly delivery?: DeliveryRef }[], results: readonly unknown[]): void {
  const entity = new df.EntityId(DELIVERY_PROGRESS_ENTITY, collectorId);
  inputs.forEach((input, i) => {
    const result = results[i] as { readonly outcome: unknown } | undefined;
    const record = result === undefined ? undefined : resultRecord(input, result);
    if (record) context.df.signalEntity(entity, "record", record);
  });
}

/** The outcome recorded for a generation whose task failed: retriable, with the engine's first line. */
export function taskFailureOutcome(error: unknown): Outcome {
  const reason = (error instanceof Error ? error.message : String(error)).split("\n")[0]!.trim().slice(0, MAX_REASON_CHARS);
  return { kind: "failed", retriable: true, message: `a page activity was lost by the platform (${redactSecrets(reason)}); the generation runs again and resumes from the recorded progress` };
}

/** The generation's result when a task failed: the state unchanged but for the failure in its stats, and the generation to retry. */
export function afterTaskFailure(state: CollectorState, error: unknown, nowIso: string, plan: GenerationPlan): { state: CollectorState; outcomes: Outcome[]; caughtUp: boolean } {
  const outcome = taskFailureOutcome(error);
  const stats = foldStats(state.stats, [{ outcome, rowsWritten: 0, pages: 0, duplicates: 0, newestEventAt: null }], nowIso);
  return { state: { ...state, generation: plan.generation, retry: { plannedAt: plan.atMs }, stats }, outcomes: [outcome], caughtUp: false };
}
