/**
 * The eternal collector orchestrator: one instance per collector. Each generation reads the
 * collector's control record, fans out page activities, folds their small results into the
 * next state, waits (poll interval or backoff) on a durable timer that a wake event can cut
 * short, and continues as new. It never ends Failed on an upstream problem: failures are
 * returned by activities as tagged outcomes, recorded in status and backed off.
 *
 * Deterministic by construction (and by lint): time only from context.df.currentUtcDateTime,
 * no I/O, no randomness.
 */
import * as df from "durable-functions";
import type { OrchestrationContext, OrchestrationHandler } from "durable-functions";
import type { Outcome } from "../activities/outcome";
import { auditGeneration } from "./auditGeneration";
import { chatGeneration } from "./chatGeneration";
import { complianceGeneration } from "./complianceGeneration";
import { buildStatus, decideWait } from "./generation";
import { healthReport, type HealthReport } from "./health";
import { COLLECTOR_ENTITY, CONNECTOR_HEALTH_ACTIVITY, WAKE_EVENT } from "./names";
import { afterGeneration, afterTaskFailure, generationPlan } from "./taskFailure";
import { afterControlReadFailure } from "./controlRead";
import { stateForRun } from "./collectorRun";
import type { CollectorControlView, CollectorState } from "./state";
import { usageGeneration } from "./usageGeneration";

function* waitOrWake(context: OrchestrationContext, untilMs: number): Generator<df.Task, void, unknown> {
  const timer = context.df.createTimer(new Date(untilMs));
  const wake = context.df.waitForExternalEvent(WAKE_EVENT);
  const winner: unknown = yield context.df.Task.any([timer, wake]);
  // An uncancelled timer would keep the instance busy and could fire into the next generation.
  if (winner !== timer) timer.cancel();
}

/** Hands the generation's health row to its activity. Best effort: a failure never stops the collector. */
function* reportHealth(context: OrchestrationContext, report: HealthReport): Generator<df.Task, void, unknown> {
  try {
    yield context.df.callActivity(CONNECTOR_HEALTH_ACTIVITY, report);
  } catch {
    // The activity does not throw; should the host fail it anyway, data and cursor are unaffected.
  }
}

/** The orchestrator function. */
export const collectorOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<CollectorState>();
  let view: CollectorControlView | null;
  try {
    view = (yield context.df.callEntity(new df.EntityId(COLLECTOR_ENTITY, input.collectorId), "get")) as CollectorControlView | null;
  } catch (error) {
    const failed = afterControlReadFailure(input, error, context.df.currentUtcDateTime.getTime());
    context.df.setCustomStatus(failed.status);
    yield* waitOrWake(context, context.df.currentUtcDateTime.getTime() + failed.waitSeconds * 1000);
    context.df.continueAsNew(failed.state);
    return undefined;
  }
  if (view === null) {
    context.df.setCustomStatus({ state: "deleted" });
    return { deleted: input.collectorId };
  }
  const state = stateForRun(input, view.definition);
  if (view.desired === "stopped") {
    context.df.setCustomStatus(buildStatus(state, view, "stopped", context.df.currentUtcDateTime.getTime(), null));
    yield* reportHealth(context, healthReport(state, state, view, "stopped", context.df.currentUtcDateTime.getTime(), null, []));
    yield context.df.waitForExternalEvent(WAKE_EVENT);
    context.df.continueAsNew(state);
    return undefined;
  }
  context.df.setCustomStatus(buildStatus(state, view, "running", context.df.currentUtcDateTime.getTime(), null));
  const plan = generationPlan(state, context.df.currentUtcDateTime.getTime());
  const generations = { auditLogs: auditGeneration, chatCompletions: chatGeneration, complianceLogs: complianceGeneration, usage: usageGeneration, costs: usageGeneration };
  const generation = generations[view.definition.dataType](context, state, view, plan);
  let result: { state: CollectorState; outcomes: Outcome[]; caughtUp: boolean };
  try {
    const ran = yield* generation;
    result = { ...ran, state: afterGeneration(ran.state, plan) };
  } catch (error) {
    result = afterTaskFailure(state, error, context.df.currentUtcDateTime.toISOString(), plan);
  }
  const { state: next, outcomes, caughtUp } = result;
  const wait = decideWait(outcomes, caughtUp, next.stats.failures, view.definition.pollIntervalSeconds);
  const nowMs = context.df.currentUtcDateTime.getTime();
  const nextRunAt = wait.seconds > 0 ? nowMs + wait.seconds * 1000 : null;
  context.df.setCustomStatus(buildStatus(next, view, wait.state, nowMs, nextRunAt));
  yield* reportHealth(context, healthReport(state, next, view, wait.state, nowMs, nextRunAt, outcomes));
  if (nextRunAt !== null) yield* waitOrWake(context, nextRunAt);
  context.df.continueAsNew(next);
  return undefined;
};
