/**
 * One generation of an audit-log collector: plan both scopes within the fan-out budget, run the
 * slice activities, fold their results. The pure parts (planning, folding, status) are exported
 * for tests; {@link auditGeneration} is the orchestrator step and only yields durable tasks.
 */
import type * as df from "durable-functions";
import type { OrchestrationContext } from "durable-functions";
import type { AuditSliceInput, AuditSliceResult, AuditSlicesInput } from "../activities/collectAuditSlice";
import type { Outcome } from "../activities/outcome";
import { AUDIT_SCOPES, type AuditScope } from "../src/audit/eventTypes";
import { MAX_UNKNOWN_TYPES, scopedAudit, type AuditState, type LegacyAuditCursor, type ScopeCursor, type UnknownEventType } from "./auditState";
import { withDelivery } from "../src/delivery/progress";
import { foldStats, type ActivityReport } from "./generation";
import { AUDIT_SLICE_ACTIVITY, AUDIT_SLICES_ACTIVITY } from "./names";
import { foldScope, initialScopeCursor, planScopes, scopeCaughtUp, type AuditTask, type ScopePlan } from "./planAudit";
import type { CollectorControlView, CollectorState, RuntimeSettings } from "./state";
import { fanOut, keepFinished, type GenerationPlan } from "./taskFailure";

/**
 * The audit state to continue from: the carried one, a new one (both scopes from the collector's
 * start time), or one converted from the first release's single-scope cursor (its late sweep in
 * progress is dropped: the next sweep re-reads from `overlap` before the last completed one; the
 * tenant scope starts at the collector's start time, so tenant events since then are collected).
 * The new tenant scope is marked {@link ScopeCursor.empty} until a slice finds events.
 */
export function auditStateOf(state: CollectorState, nowSeconds: number, settings: RuntimeSettings): AuditState {
  const carried = state.audit as unknown as AuditState | LegacyAuditCursor | null;
  if (carried && "scopes" in carried) return carried;
  const fresh = (): ScopeCursor => initialScopeCursor(state.startTime, nowSeconds, settings);
  const organization: ScopeCursor = carried
    ? { ...fresh(), origin: carried.origin, watermark: carried.watermark, frontier: carried.frontier, sliceSeconds: carried.sliceSeconds, lateSweptAt: carried.lateSweptAt, inFlight: carried.inFlight.map((s) => ({ gte: s.gte, lt: s.lt, after: s.after, late: false })) }
    : fresh();
  // The tenant scope starts as a probe (one slot, orchestrators/planAudit.ts shareSlots): many
  // organizations have few or no tenant-scoped events, or no tenant at all; if it finds events it
  // gets its fair share from the next generation.
  return { scopes: { organization, tenant: { ...fresh(), empty: true } }, unknownTypes: [], otherUnknownEvents: 0 };
}

/**
 * `state` with its audit cursor in the current shape: a first release's single-scope cursor is
 * converted ({@link auditStateOf}) before anything reads it (status, health, planning); any other
 * state is returned as it is. Pure.
 */
export function withCurrentAudit(state: CollectorState, nowSeconds: number, settings: RuntimeSettings): CollectorState {
  return state.audit && !scopedAudit(state.audit) ? { ...state, audit: auditStateOf(state, nowSeconds, settings) } : state;
}

/** A generation's plan: each scope's plan (restricted to the tasks that run) and the tasks in call order. */
export interface AuditGenerationPlan {
  readonly plans: Readonly<Record<AuditScope, ScopePlan>>;
  readonly tasks: readonly AuditTask[];
}

/**
 * Plans both scopes within `parallelism` slots in all ({@link planScopes}): a scope whose slices
 * keep coming back empty costs one slot, the scopes finding events share the rest.
 */
export function planAuditGeneration(audit: AuditState, nowSeconds: number, settings: RuntimeSettings, pollIntervalSeconds: number): AuditGenerationPlan {
  const plans = planScopes(audit.scopes, AUDIT_SCOPES, nowSeconds, settings, pollIntervalSeconds);
  return { plans, tasks: AUDIT_SCOPES.flatMap((scope) => plans[scope].tasks) };
}

/**
 * True when the generation is an idle poll of more than one scope: each scope runs at most one
 * task, a late sweep cut in this generation whose slice is the whole sweep (nothing else in
 * flight, nothing left to cut). Such a generation runs its tasks in one activity call
 * ({@link AUDIT_SLICES_ACTIVITY}): one activity and one orchestrator episode fewer per poll, the
 * same requests (one per scope) and the same late window. A backlog, a resumed slice or a sweep
 * cut in several slices keeps one call per task.
 */
export function idleSweeps(planned: AuditGenerationPlan): boolean {
  return planned.tasks.length > 1 && AUDIT_SCOPES.every((scope) => {
    const { cursor, tasks } = planned.plans[scope];
    const sweepCut = cursor.sweep === null || cursor.sweep.next >= cursor.sweep.end;
    return tasks.length <= 1 && cursor.inFlight.length === tasks.length && sweepCut && tasks.every((t) => t.cut && t.slice.late);
  });
}

/** Adds the unknown types one generation saw; the list stays at most {@link MAX_UNKNOWN_TYPES} long. */
export function foldUnknownTypes(audit: Pick<AuditState, "unknownTypes" | "otherUnknownEvents">, seen: ReadonlyArray<Record<string, number>>, nowIso: string): Pick<AuditState, "unknownTypes" | "otherUnknownEvents"> {
  const list = new Map(audit.unknownTypes.map((u) => [u.type, u]));
  let other = audit.otherUnknownEvents;
  for (const counts of seen) {
    for (const [type, count] of Object.entries(counts)) {
      const known = list.get(type);
      if (known) list.set(type, { ...known, count: known.count + count });
      else if (list.size < MAX_UNKNOWN_TYPES) list.set(type, { type, count, firstSeen: nowIso });
      else other += count;
    }
  }
  return { unknownTypes: [...list.values()] satisfies UnknownEventType[], otherUnknownEvents: other };
}

/** The audit state after the results (`results[i]` for `plan.tasks[i]`). */
export function foldAuditGeneration(audit: AuditState, plan: AuditGenerationPlan, results: readonly AuditSliceResult[], nowSeconds: number, nowIso: string, settings: RuntimeSettings): AuditState {
  const scopes = Object.fromEntries(AUDIT_SCOPES.map((scope) => {
    const own = plan.tasks.flatMap((t, i) => (t.scope === scope ? [results[i]!] : []));
    return [scope, foldScope(plan.plans[scope], own.map((r) => ({
      ok: r.outcome.kind === "ok", cursorInvalid: r.outcome.kind === "cursorInvalid", refused: r.refused, done: r.done, after: r.after, listed: r.rowsWritten + r.duplicates, ...(r.skip ? { skip: r.skip } : {}),
    })), nowSeconds, settings)];
  })) as Record<AuditScope, ScopeCursor>;
  return { scopes, ...foldUnknownTypes(audit, results.map((r) => r.unknownTypes), nowIso) };
}

/** True when every scope is caught up (a refused scope waiting for its retry counts as caught up). */
export function auditCaughtUp(audit: AuditState, nowSeconds: number, settings: RuntimeSettings): boolean {
  return AUDIT_SCOPES.every((scope) => scopeCaughtUp(audit.scopes[scope], nowSeconds, settings));
}

/** The activity input of a task. */
export function sliceInput(task: AuditTask, view: CollectorControlView): AuditSliceInput {
  const { definition, settings } = view;
  return {
    collectorId: definition.id, connectorName: definition.friendlyName, apiKeySecretName: definition.apiKeySecretName,
    scope: task.scope, gte: task.slice.gte, lt: task.slice.lt, after: task.slice.after, maxPages: settings.maxPagesPerActivity,
    late: task.slice.late, recordSince: task.recordSince, ...(task.pruneBefore !== undefined ? { pruneBefore: task.pruneBefore } : {}),
    ...(task.slice.skip ? { skip: task.slice.skip } : {}),
  };
}

/**
 * The orchestrator step of an audit collector, planned as `plan` says: a generation retried after
 * the platform lost a call plans at its first time again, so the same state gives the very same
 * slice inputs (delivery refs and digests included) and each call resumes from its recorded
 * progress (activities/pageDelivery.ts). Deterministic: time from the orchestration clock only.
 */
export function* auditGeneration(context: OrchestrationContext, state: CollectorState, view: CollectorControlView, plan: GenerationPlan): Generator<df.Task, { state: CollectorState; outcomes: Outcome[]; caughtUp: boolean }, unknown> {
  const { settings } = view;
  const startSeconds = Math.floor(plan.atMs / 1000);
  const audit = auditStateOf(state, startSeconds, settings);
  const planned = planAuditGeneration(audit, startSeconds, settings, view.definition.pollIntervalSeconds);
  const inputs = planned.tasks.map((t, i) => withDelivery(sliceInput(t, view), plan.generation, i, plan.atMs));
  let results: AuditSliceResult[];
  if (idleSweeps(planned)) {
    // One call for the scopes' sweeps; lost by the platform, it has no finished call to keep (each slice resumes from its own record).
    const slices: AuditSlicesInput = { slices: inputs };
    results = ((yield* fanOut(context, [context.df.callActivity(AUDIT_SLICES_ACTIVITY, slices)])) as AuditSliceResult[][])[0]!;
  } else {
    const calls = inputs.map((input) => context.df.callActivity(AUDIT_SLICE_ACTIVITY, input));
    results = (yield* fanOut(context, calls, (finished) => keepFinished(context, view.definition.id, inputs, finished))) as AuditSliceResult[];
  }
  const nowMs = context.df.currentUtcDateTime.getTime();
  const nowIso = new Date(nowMs).toISOString();
  const next = foldAuditGeneration(audit, planned, results, Math.floor(nowMs / 1000), nowIso, settings);
  const reports: ActivityReport[] = results.map((r) => ({ outcome: r.outcome, rowsWritten: r.rowsWritten, pages: r.pages, duplicates: r.duplicates, newestEventAt: r.newestEventAt }));
  return {
    state: { ...state, audit: next, stats: foldStats(state.stats, reports, nowIso) },
    outcomes: results.map((r) => r.outcome),
    caughtUp: auditCaughtUp(next, Math.floor(nowMs / 1000), settings),
  };
}
