/**
 * One generation of a compliance-logs collector: an activity per stream (event type at its
 * scope), in waves of the collector's parallelism, then the folded cursor and counts. A generator
 * run inside the collector orchestrator: it only yields durable tasks (deterministic, checked by lint).
 */
import type * as df from "durable-functions";
import type { OrchestrationContext } from "durable-functions";
import type { ComplianceStreamInput, ComplianceStreamResult } from "../activities/collectComplianceLogs";
import type { Outcome } from "../activities/outcome";
import { withDelivery } from "../src/delivery/progress";
import { foldStats, type ActivityReport } from "./generation";
import { COMPLIANCE_LOGS_ACTIVITY } from "./names";
import { complianceCaughtUp, foldCompliance, initialComplianceCursor, MAX_FILES_PER_ACTIVITY, overlapOf, planCompliance, streamsOf } from "./planCompliance";
import type { CollectorControlView, CollectorState } from "./state";
import { fanOut, keepFinished, type GenerationPlan } from "./taskFailure";

/** What a generation hands back to the orchestrator. */
export interface GenerationOutcome {
  readonly state: CollectorState;
  readonly outcomes: Outcome[];
  readonly caughtUp: boolean;
}

/**
 * Runs one compliance-logs generation. Its plan depends on the state only, so a generation retried
 * after the platform lost a call schedules the same inputs; each carries a delivery ref (`plan`'s
 * generation, its index over all waves, `plan.atMs`) so the call resumes from its recorded progress.
 */
export function* complianceGeneration(context: OrchestrationContext, state: CollectorState, view: CollectorControlView, plan: GenerationPlan): Generator<df.Task, GenerationOutcome, unknown> {
  const { definition, settings } = view;
  const options = definition.compliance;
  const cursor = state.compliance ?? initialComplianceCursor(state.startTime);
  const waves = planCompliance(cursor, streamsOf(options), settings.parallelism);
  const results: ComplianceStreamResult[] = [];
  const scheduled: ComplianceStreamInput[] = [];
  for (const wave of waves) {
    const inputs: ComplianceStreamInput[] = wave.map((task, i) => withDelivery({
      collectorId: definition.id, connectorName: definition.friendlyName, apiKeySecretName: definition.apiKeySecretName,
      stream: task.stream, cursor: task.cursor, origin: cursor.origin, overlapSeconds: overlapOf(options),
      maxPages: settings.maxPagesPerActivity, maxFiles: MAX_FILES_PER_ACTIVITY, userContentAllowed: options?.includeConversationMessages === true,
    }, plan.generation, scheduled.length + i, plan.atMs));
    // fanOut: a wave whose call the platform lost ends only when its other calls did (the retry never runs beside them);
    // the results of every call that finished, in earlier waves too, are recorded so their runs in the retry send nothing.
    const before = [...results];
    const calls = inputs.map((input) => context.df.callActivity(COMPLIANCE_LOGS_ACTIVITY, input));
    scheduled.push(...inputs);
    results.push(...((yield* fanOut(context, calls, (finished) => keepFinished(context, definition.id, scheduled, [...before, ...finished]))) as ComplianceStreamResult[]));
  }
  const compliance = foldCompliance(cursor, waves.flat(), results.map((r) => ({ ok: r.outcome.kind === "ok", done: r.done, cursor: r.cursor })));
  const reports: ActivityReport[] = results.map((r) => ({ outcome: r.outcome, rowsWritten: r.rowsWritten, pages: r.pages, duplicates: r.duplicates, newestEventAt: r.newestEventAt }));
  return {
    state: { ...state, compliance, stats: foldStats(state.stats, reports, context.df.currentUtcDateTime.toISOString()) },
    outcomes: results.map((r) => r.outcome),
    caughtUp: complianceCaughtUp(compliance),
  };
}
