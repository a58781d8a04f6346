/**
 * One generation of a usage or costs collector: plan bucket slices and re-reads, fan them out to
 * the usage activity, fold the results into the cursor. A generator that only yields
 * `context.df.*` (called by the collector orchestrator).
 */
import type * as df from "durable-functions";
import type { OrchestrationContext } from "durable-functions";
import type { UsageBucketsInput, UsageBucketsResult } from "../activities/collectUsageBuckets";
import type { Outcome } from "../activities/outcome";
import { bucketWidthOf, seriesOf, type UsageDataType } from "../src/usage/definition";
import { foldStats, type ActivityReport } from "./generation";
import { USAGE_BUCKETS_ACTIVITY } from "./names";
import { foldUsage, planUsage, reconcileSeries, usageCaughtUp } from "./planUsage";
import type { CollectorControlView, CollectorState } from "./state";
import { fanOut, type GenerationPlan } from "./taskFailure";

/**
 * Runs one generation, planned at `plan.atMs` (a generation retried after the platform lost a call
 * plans the same slices again); returns the next state, the activities' outcomes and whether the
 * collector is caught up.
 */
export function* usageGeneration(context: OrchestrationContext, state: CollectorState, view: CollectorControlView, plan: GenerationPlan): Generator<df.Task, { state: CollectorState; outcomes: Outcome[]; caughtUp: boolean }, unknown> {
  const { definition, settings } = view;
  const startSeconds = Math.floor(plan.atMs / 1000);
  const cursor = reconcileSeries(state.usage, seriesOf(definition), bucketWidthOf(definition), state.startTime);
  const tasks = planUsage(cursor, startSeconds, settings, definition.pollIntervalSeconds);
  const inputs: UsageBucketsInput[] = tasks.map((t) => ({
    collectorId: definition.id, connectorName: definition.friendlyName, apiKeySecretName: definition.apiKeySecretName,
    dataType: definition.dataType as UsageDataType, series: t.series, bucketWidth: cursor.bucketWidth, gte: t.slice.gte, lt: t.slice.lt,
    maxPages: settings.maxPagesPerActivity, revision: t.revision, rememberFrom: t.rememberFrom, ...(t.known ? { known: t.known } : {}),
  }));
  // fanOut: when the platform loses a call, the generation fails only after its other calls ended, so the retry never runs beside one.
  const results = (yield* fanOut(context, inputs.map((input) => context.df.callActivity(USAGE_BUCKETS_ACTIVITY, input)))) as UsageBucketsResult[];
  const nowMs = context.df.currentUtcDateTime.getTime();
  const usage = foldUsage(cursor, tasks, results.map((r) => ({ ok: r.outcome.kind === "ok", done: r.done, doneUntil: r.doneUntil, memory: r.memory })), startSeconds, Math.floor(nowMs / 1000));
  const reports: ActivityReport[] = results.map((r) => ({ outcome: r.outcome, rowsWritten: r.rowsWritten, pages: r.pages, duplicates: r.bucketsUnchanged, newestEventAt: r.newestEventAt }));
  return {
    state: { ...state, usage, stats: foldStats(state.stats, reports, new Date(nowMs).toISOString()) },
    outcomes: results.map((r) => r.outcome),
    caughtUp: usageCaughtUp(usage, Math.floor(nowMs / 1000), definition.pollIntervalSeconds),
  };
}
