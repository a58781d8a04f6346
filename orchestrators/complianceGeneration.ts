/**
 * One generation of a compliance-logs collector: an activity per stream (event type at its
 * scope), in waves of the collector's parallelism, then the folded cursor and counts. A generator
 * run inside the collector orchestrator: it only yields durable tasks (deterministic, checked by lint).
 */
import type * as df from "durable-functions";
import type { OrchestrationContext } from "durable-functions";
import type { ComplianceStreamInput, ComplianceStreamResult } from "../activities/collectComplianceLogs";
import type { Outcome } from "../activities/outcome";
import { foldStats, type ActivityReport } from "./generation";
import { COMPLIANCE_LOGS_ACTIVITY } from "./names";
import { complianceCaughtUp, foldCompliance, initialComplianceCursor, MAX_FILES_PER_ACTIVITY, overlapOf, planCompliance, streamsOf } from "./planCompliance";
import type { CollectorControlView, CollectorState } from "./state";
import { fanOut } from "./taskFailure";

/** What a generation hands back to the orchestrator. */
export interface GenerationOutcome {
  readonly state: CollectorState;
  readonly outcomes: Outcome[];
  readonly caughtUp: boolean;
}

/** Runs one compliance-logs generation. */
export function* complianceGeneration(context: OrchestrationContext, state: CollectorState, view: CollectorControlView): Generator<df.Task, GenerationOutcome, unknown> {
  const { definition, settings } = view;
  const options = definition.compliance;
  const cursor = state.compliance ?? initialComplianceCursor(state.startTime);
  const waves = planCompliance(cursor, streamsOf(options), settings.parallelism);
  const results: ComplianceStreamResult[] = [];
  for (const wave of waves) {
    const inputs: ComplianceStreamInput[] = wave.map((task) => ({
      collectorId: definition.id, connectorName: definition.friendlyName, apiKeySecretName: definition.apiKeySecretName,
      stream: task.stream, cursor: task.cursor, origin: cursor.origin, overlapSeconds: overlapOf(options),
      maxPages: settings.maxPagesPerActivity, maxFiles: MAX_FILES_PER_ACTIVITY, userContentAllowed: options?.includeConversationMessages === true,
    }));
    // fanOut: a wave whose call the platform lost ends only when its other calls did (the retry never runs beside them).
    results.push(...((yield* fanOut(context, inputs.map((input) => context.df.callActivity(COMPLIANCE_LOGS_ACTIVITY, input)))) as ComplianceStreamResult[]));
  }
  const compliance = foldCompliance(cursor, waves.flat(), results.map((r) => ({ ok: r.outcome.kind === "ok", done: r.done, cursor: r.cursor })));
  const reports: ActivityReport[] = results.map((r) => ({ outcome: r.outcome, rowsWritten: r.rowsWritten, pages: r.pages, duplicates: r.duplicates, newestEventAt: r.newestEventAt }));
  return {
    state: { ...state, compliance, stats: foldStats(state.stats, reports, context.df.currentUtcDateTime.toISOString()) },
    outcomes: results.map((r) => r.outcome),
    caughtUp: complianceCaughtUp(compliance),
  };
}
