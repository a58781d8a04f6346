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
import { auditGeneration, withCurrentAudit } from "./auditGeneration";
import { chatGeneration } from "./chatGeneration";
import { complianceGeneration } from "./complianceGeneration";
import { buildStatus, decideWait } from "./generation";
import { healthMarkOf, healthReport, healthRowDue, sinceLastRow, type HealthMark, type HealthReport } from "./health";
import type { HealthWriteResult } from "../activities/writeConnectorHealth";
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

/**
 * Hands the generation's health row to its activity when one is due (orchestrators/health.ts
 * {@link healthRowDue}) and returns the mark to carry: the new row's once it is written (or the
 * table is disabled), else `mark` unchanged, so a row that failed is tried again next generation.
 * Best effort: a failure never stops the collector.
 */
function* reportHealth(context: OrchestrationContext, report: HealthReport, mark: HealthMark | undefined): Generator<df.Task, HealthMark | undefined, unknown> {
  if (!healthRowDue(report, mark)) return mark;
  try {
    const result = (yield context.df.callActivity(CONNECTOR_HEALTH_ACTIVITY, report)) as HealthWriteResult | null;
    return result && (result.written || result.disabled) ? healthMarkOf(report) : mark;
  } catch {
    // The activity does not throw; should the host fail it anyway, data and cursor are unaffected.
    return mark;
  }
}

/** `state` carrying `mark` as its last health row (none: the field left out). */
function withHealth(state: CollectorState, mark: HealthMark | undefined): CollectorState {
  const { health: _previous, ...rest } = state;
  return mark === undefined ? rest : { ...rest, health: mark };
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
  // A cursor of an earlier release is brought to the current shape before status or planning reads it.
  const state = withCurrentAudit(stateForRun(input, view.definition), Math.floor(context.df.currentUtcDateTime.getTime() / 1000), view.settings);
  if (view.desired === "stopped") {
    context.df.setCustomStatus(buildStatus(state, view, "stopped", context.df.currentUtcDateTime.getTime(), null));
    const health = yield* reportHealth(context, healthReport(sinceLastRow(state), state, view, "stopped", context.df.currentUtcDateTime.getTime(), null, []), state.health);
    yield context.df.waitForExternalEvent(WAKE_EVENT);
    context.df.continueAsNew(withHealth(state, health));
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
  const health = yield* reportHealth(context, healthReport(sinceLastRow(state), next, view, wait.state, nowMs, nextRunAt, outcomes), state.health);
  if (nextRunAt !== null) yield* waitOrWake(context, nextRunAt);
  context.df.continueAsNew(withHealth(next, health));
  return undefined;
};
