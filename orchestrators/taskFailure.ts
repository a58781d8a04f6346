/**
 * A page activity that failed outside the app's code. Activities return every upstream problem
 * as an outcome, so a failed task only comes from the platform — on the real engine, a Node
 * worker that exits mid-activity is reported to the orchestrator as the activity's failure
 * ("Activity function 'collectAuditSlice' failed: node exited with code 137"; the extension
 * retries such invocations only for .NET isolated and Java workers). The generation then keeps
 * its state (the cursor does not move past pages whose result was lost), backs off and runs
 * again: the lost activity's pages are read again, nothing is lost, the instance never ends Failed.
 */
import type { Outcome } from "../activities/outcome";
import { redactSecrets } from "../src/redact";
import { foldStats } from "./generation";
import type { CollectorState } from "./state";

const MAX_REASON_CHARS = 300;

/** The outcome recorded for a generation whose task failed: retriable, with the engine's first line. */
export function taskFailureOutcome(error: unknown): Outcome {
  const reason = (error instanceof Error ? error.message : String(error)).split("\n")[0]!.trim().slice(0, MAX_REASON_CHARS);
  return { kind: "failed", retriable: true, message: `a page activity was lost by the platform (${redactSecrets(reason)}); its pages are read again` };
}

/** The generation's result when a task failed: the state unchanged but for the failure in its stats. */
export function afterTaskFailure(state: CollectorState, error: unknown, nowIso: string): { state: CollectorState; outcomes: Outcome[]; caughtUp: boolean } {
  const outcome = taskFailureOutcome(error);
  return { state: { ...state, stats: foldStats(state.stats, [{ outcome, rowsWritten: 0, pages: 0, duplicates: 0, newestEventAt: null }], nowIso) }, outcomes: [outcome], caughtUp: false };
}
