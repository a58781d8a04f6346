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
import type { AuditSliceInput, AuditSliceResult } from "../activities/collectAuditSlice";
import type { Outcome } from "../activities/outcome";
import { chatGeneration } from "./chatGeneration";
import { buildStatus, decideWait, foldStats, type ActivityReport } from "./generation";
import { healthReport, type HealthReport } from "./health";
import { AUDIT_SLICE_ACTIVITY, COLLECTOR_ENTITY, CONNECTOR_HEALTH_ACTIVITY, WAKE_EVENT } from "./names";
import { afterTaskFailure } from "./taskFailure";
import { auditCaughtUp, foldAudit, initialAuditCursor, planAudit, type AuditTask } from "./planAudit";
import type { CollectorControlView, CollectorState } from "./state";
import { isUsageDataType } from "../src/usage/definition";
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

function* auditGeneration(context: OrchestrationContext, state: CollectorState, view: CollectorControlView): Generator<df.Task, { state: CollectorState; outcomes: Outcome[]; caughtUp: boolean }, unknown> {
  const { definition, settings } = view;
  const startSeconds = Math.floor(context.df.currentUtcDateTime.getTime() / 1000);
  const cursor = state.audit ?? initialAuditCursor(state.startTime, startSeconds, settings);
  const tasks: AuditTask[] = planAudit(cursor, startSeconds, settings);
  const inputs: AuditSliceInput[] = tasks.map((t) => ({
    collectorId: definition.id, connectorName: definition.friendlyName, apiKeySecretName: definition.apiKeySecretName,
    gte: t.slice.gte, lt: t.slice.lt, after: t.slice.after, maxPages: settings.maxPagesPerActivity, recentSince: t.recentSince,
    ...(t.skip ? { skip: t.skip } : {}),
  }));
  const results = (inputs.length > 0 ? yield context.df.Task.all(inputs.map((input) => context.df.callActivity(AUDIT_SLICE_ACTIVITY, input))) : []) as AuditSliceResult[];
  const nowMs = context.df.currentUtcDateTime.getTime();
  const audit = foldAudit(cursor, tasks, results.map((r) => ({
    ok: r.outcome.kind === "ok", cursorInvalid: r.outcome.kind === "cursorInvalid", done: r.done, after: r.after, pages: r.pages, rows: r.rowsWritten + r.duplicates, recent: r.recent,
  })), startSeconds, Math.floor(nowMs / 1000), settings);
  const reports: ActivityReport[] = results.map((r) => ({ outcome: r.outcome, rowsWritten: r.rowsWritten, pages: r.pages, duplicates: r.duplicates, newestEventAt: r.newestEventAt }));
  return {
    state: { ...state, audit, stats: foldStats(state.stats, reports, new Date(nowMs).toISOString()) },
    outcomes: results.map((r) => r.outcome),
    caughtUp: auditCaughtUp(audit, Math.floor(nowMs / 1000), settings),
  };
}

/** The orchestrator function. */
export const collectorOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext) {
  const state = context.df.getInput<CollectorState>();
  const view = (yield context.df.callEntity(new df.EntityId(COLLECTOR_ENTITY, state.collectorId), "get")) as CollectorControlView | null;
  if (view === null) {
    context.df.setCustomStatus({ state: "deleted" });
    return { deleted: state.collectorId };
  }
  if (view.desired === "stopped") {
    context.df.setCustomStatus(buildStatus(state, view, "stopped", context.df.currentUtcDateTime.getTime(), null));
    yield* reportHealth(context, healthReport(state, state, view, "stopped", context.df.currentUtcDateTime.getTime(), null, []));
    yield context.df.waitForExternalEvent(WAKE_EVENT);
    context.df.continueAsNew(state);
    return undefined;
  }
  context.df.setCustomStatus(buildStatus(state, view, "running", context.df.currentUtcDateTime.getTime(), null));
  const generation = view.definition.dataType === "auditLogs" ? auditGeneration(context, state, view)
    : isUsageDataType(view.definition.dataType) ? usageGeneration(context, state, view)
    : chatGeneration(context, state, view);
  let result: { state: CollectorState; outcomes: Outcome[]; caughtUp: boolean };
  try {
    result = yield* generation;
  } catch (error) {
    result = afterTaskFailure(state, error, context.df.currentUtcDateTime.toISOString());
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
