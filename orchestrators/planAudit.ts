/**
 * Audit-log work planning and folding, per scope. Pure: the orchestrator calls these with the
 * cursor and the orchestration clock.
 *
 * - Backfill: the range since the frontier is cut into time slices (width from the density seen)
 *   drained in parallel; the watermark only passes slices whose every page was delivered.
 * - Steady state: once the frontier is within the late window, each poll runs one *late sweep*
 *   over [last sweep's start − overlap, now − lag): the new range and the late-arrival window in
 *   one listing, cut into slices like the backfill (split by density, fanned out, resumable).
 *   Delivered events are skipped through the ledger, so an idle poll is one request per scope.
 * - Late horizon: an event that becomes visible at most `overlapSeconds` after its effective_at is
 *   collected (the sweep window reaches back `overlapSeconds` before the previous sweep started).
 *   Only after an outage longer than the cap ({@link maxLateWindowSeconds}) is part of the window
 *   not re-read; that part is counted in `lateSkipped` and shown in status.
 * - Fan-out between scopes ({@link planScopes}): a scope whose slices keep coming back empty gets
 *   one slot until a slice finds events; the other slots go to the scopes that found events.
 */
import type { AuditScope } from "../src/audit/eventTypes";
import type { AuditSlice, LateSkipped, ScopeCursor } from "./auditState";
import type { RuntimeSettings } from "./state";

/** Slice width bounds, seconds. */
export const MIN_SLICE_SECONDS = 60;
export const MAX_SLICE_SECONDS = 86_400;
/** Width of the first slices of a new collector. */
export const INITIAL_SLICE_SECONDS = 3_600;
/** A refused scope is tried again after this long (seconds): at most hourly. */
export const REFUSAL_RETRY_SECONDS = 3_600;
/** New slices aim at this share of one activity's page budget (full pages, few stragglers). */
export const SLICE_FILL = 0.8;

/** The late window never reaches further back than this before now (bounds a sweep after an outage). */
export function maxLateWindowSeconds(settings: RuntimeSettings): number {
  return Math.max(2 * settings.overlapSeconds, 3_600);
}

/** One activity call to plan. */
export interface AuditTask {
  readonly scope: AuditScope;
  /** Index of the slice in the planned cursor's `inFlight`. */
  readonly index: number;
  readonly slice: AuditSlice;
  /** Cut in this generation (so its rows measure the density of its whole range). */
  readonly cut: boolean;
  /** Record delivered events at or after this Unix second in the ledger (later sweeps may re-read them). */
  readonly recordSince: number;
  /** Forget ledger rows of buckets ending before this Unix second (once per sweep). */
  readonly pruneBefore?: number;
}

/** What an audit activity reported (the parts the fold needs). */
export interface AuditTaskResult {
  readonly ok: boolean;
  readonly cursorInvalid: boolean;
  /** The scope was refused (tenant_only): status and the server's reason. */
  readonly refused: { readonly status: number; readonly message: string } | null;
  readonly done: boolean;
  readonly after: string | null;
  /** Events listed (delivered + skipped as already delivered). */
  readonly listed: number;  /** Digests of accepted rows of the page at `after` (a partly accepted upload). */
  readonly skip?: readonly string[];
}

/** The slice continuing after a result: its new `after`, and what of that page is already delivered. */
function continued(slice: AuditSlice, r: AuditTaskResult, after: string | null): AuditSlice {
  const { skip: _previous, ...rest } = slice;
  return { ...rest, after, ...(r.skip && r.skip.length > 0 ? { skip: r.skip } : {}) };
}

/** A scope's plan for one generation: the cursor with the new slices cut, and the tasks. */
export interface ScopePlan {
  readonly cursor: ScopeCursor;
  readonly tasks: readonly AuditTask[];
}

/**
 * The width of the next new slices: from the event density of the slices just drained, so a slice
 * holds about {@link SLICE_FILL} of one activity's pages; halved when a slice overflowed; changing
 * by at most 8× per generation.
 */
export function nextSliceSeconds(current: number, drained: ReadonlyArray<{ seconds: number; rows: number }>, overflowed: boolean, settings: RuntimeSettings): number {
  let next = current;
  if (overflowed) next = current / 2;
  else if (drained.length > 0) {
    const rows = drained.reduce((n, d) => n + d.rows, 0);
    const seconds = drained.reduce((n, d) => n + d.seconds, 0);
    const target = settings.maxPagesPerActivity * 100 * SLICE_FILL;
    next = rows === 0 ? current * 8 : Math.min(current * 8, Math.max(current / 8, (target * seconds) / rows));
  }
  return Math.round(Math.min(MAX_SLICE_SECONDS, Math.max(MIN_SLICE_SECONDS, next)));
}

/**
 * A new scope cursor starting at `startTime`. Its first slices split the backlog into about four
 * per fan-out slot (density unknown yet); later widths follow the density seen.
 */
export function initialScopeCursor(startTime: number, nowSeconds?: number, settings?: RuntimeSettings): ScopeCursor {
  const backlog = nowSeconds !== undefined && settings ? nowSeconds - settings.lagSeconds - startTime : 0;
  const width = settings && backlog > 0 ? Math.round(Math.min(MAX_SLICE_SECONDS, Math.max(INITIAL_SLICE_SECONDS, backlog / (4 * settings.parallelism)))) : INITIAL_SLICE_SECONDS;
  return { origin: startTime, watermark: startTime, frontier: startTime, inFlight: [], sliceSeconds: width, sweep: null, lateSweptAt: null, refused: null, lateSkipped: null };
}

/** Oldest effective_at a new late sweep re-reads: `overlap` before the last sweep began, within the cap. */
export function lateWindowFloor(cursor: Pick<ScopeCursor, "lateSweptAt">, nowSeconds: number, settings: RuntimeSettings): number {
  return Math.max((cursor.lateSweptAt ?? nowSeconds) - settings.overlapSeconds, nowSeconds - maxLateWindowSeconds(settings));
}

function skip(previous: LateSkipped | null, from: number, to: number): LateSkipped | null {
  if (to <= from) return previous;
  return { seconds: (previous?.seconds ?? 0) + (to - from), times: (previous?.times ?? 0) + 1, lastFrom: from, lastTo: to };
}

/**
 * Plans one scope: slices in flight first (at most `budget`), then new slices of the late sweep in
 * progress, or a new late sweep when the frontier is near the head and the last sweep is at least
 * a poll interval old, or backfill slices from the frontier. A refused scope plans nothing until
 * its retry time. Slices cut here join `inFlight`, so a slice the caller does not start is kept.
 */
export function planScope(scope: AuditScope, cursor: ScopeCursor, nowSeconds: number, settings: RuntimeSettings, pollIntervalSeconds: number, budget = settings.parallelism): ScopePlan {
  // No slot this generation: nothing is cut or dropped, the cursor waits as it is.
  if (budget <= 0) return { cursor, tasks: [] };
  if (cursor.refused && nowSeconds < cursor.refused.retryAt) return { cursor, tasks: [] };
  // A refused scope is probed with one request; the rest follows once it is served.
  if (cursor.refused) budget = 1;
  const horizon = nowSeconds - settings.lagSeconds;
  const recordSince = nowSeconds - maxLateWindowSeconds(settings);
  const cap = nowSeconds - maxLateWindowSeconds(settings);
  let { frontier, sweep, lateSkipped } = cursor;
  // A sweep slice entirely behind the cap is dropped, and counted.
  const inFlight: AuditSlice[] = [];
  for (const s of cursor.inFlight) {
    if (s.late && s.lt <= cap && s.lt <= cursor.watermark) lateSkipped = skip(lateSkipped, s.gte, s.lt);
    else inFlight.push(s);
  }
  const tasks: AuditTask[] = inFlight.slice(0, budget).map((slice, index) => ({ scope, index, slice, cut: false, recordSince }));
  const cutSlice = (gte: number, lt: number, late: boolean, pruneBefore?: number) => {
    const slice: AuditSlice = { gte, lt, after: null, late };
    inFlight.push(slice);
    tasks.push({ scope, index: inFlight.length - 1, slice, cut: true, recordSince, ...(pruneBefore !== undefined ? { pruneBefore } : {}) });
    frontier = Math.max(frontier, lt);
  };
  const due = cursor.lateSweptAt === null || nowSeconds - cursor.lateSweptAt >= pollIntervalSeconds;
  let pruneBefore: number | undefined;
  if (sweep === null && inFlight.length === 0 && frontier >= horizon - settings.overlapSeconds && due) {
    const wanted = Math.max((cursor.lateSweptAt ?? nowSeconds) - settings.overlapSeconds, cursor.origin);
    const from = Math.min(Math.max(lateWindowFloor(cursor, nowSeconds, settings), cursor.origin), frontier);
    if (cursor.lateSweptAt !== null) lateSkipped = skip(lateSkipped, wanted, from);
    // Nothing before `from` is re-read again (later windows start later), so its ledger rows can go.
    if (horizon > from) { sweep = { startedAt: nowSeconds, from, next: from, end: horizon }; pruneBefore = from; }
  }
  if (sweep !== null) {
    while (tasks.length < budget && sweep.next < sweep.end) {
      // A remainder shorter than a minimum slice joins this one.
      const lt: number = sweep.end - sweep.next < cursor.sliceSeconds + MIN_SLICE_SECONDS ? sweep.end : sweep.next + cursor.sliceSeconds;
      cutSlice(sweep.next, lt, true, pruneBefore);
      pruneBefore = undefined;
      sweep = { ...sweep, next: lt };
    }
  } else {
    // Less than a minimum slice before the horizon waits for the next poll (see scopeCaughtUp).
    while (tasks.length < budget && horizon - frontier >= MIN_SLICE_SECONDS) cutSlice(frontier, Math.min(frontier + cursor.sliceSeconds, horizon), false);
  }
  return { cursor: { ...cursor, frontier, inFlight, sweep, lateSkipped }, tasks };
}

/** One scope's claim on a generation's fan-out slots. */
export interface SlotDemand {
  /** Activity calls the scope could start now (its slices in flight plus those it would cut), at most the fan-out. */
  readonly tasks: number;
  /** Its last answered slices all listed no event ({@link ScopeCursor.empty}). */
  readonly empty: boolean;
}

/**
 * Shares `parallelism` fan-out slots between scopes (`result[i]` slots for `demands[i]`, never more
 * than its `tasks`, at most `parallelism` in all), so the slots go where the events are:
 * 1. each scope that found events gets one slot, in order;
 * 2. each empty scope gets one slot (its probe: one slice, widening 8× per generation up to
 *    {@link MAX_SLICE_SECONDS}, so an empty backlog costs few requests);
 * 3. the remaining slots go to the scopes that found events, one each in turn;
 * 4. slots none of them can use go to the empty scopes in turn (nothing else would use them).
 * With one slot and both scopes holding events, the first scope (organization) takes it, as before.
 */
export function shareSlots(demands: readonly SlotDemand[], parallelism: number): number[] {
  const slots = demands.map(() => 0);
  let left = Math.max(0, parallelism);
  const give = (empty: boolean, rounds: number) => {
    for (let round = 0; round < rounds && left > 0; round++) {
      let gave = false;
      demands.forEach((d, i) => {
        if (left > 0 && d.empty === empty && slots[i]! < d.tasks) { slots[i]!++; left--; gave = true; }
      });
      if (!gave) return;
    }
  };
  give(false, 1);
  give(true, 1);
  give(false, Infinity);
  give(true, Infinity);
  return slots;
}

/**
 * Plans every scope of a generation within one fan-out budget (`settings.parallelism` in all):
 * what each could start is measured with the whole budget, the slots are shared by
 * {@link shareSlots}, and each scope is planned again with its share, so a scope cuts only the
 * slices it starts (a slice cut later is cut at the width the density seen by then asks for).
 * Pure: the same cursors and time give the same plans.
 */
export function planScopes(cursors: Readonly<Record<AuditScope, ScopeCursor>>, scopes: readonly AuditScope[], nowSeconds: number, settings: RuntimeSettings, pollIntervalSeconds: number): Record<AuditScope, ScopePlan> {
  const demands = scopes.map((scope) => ({ tasks: planScope(scope, cursors[scope], nowSeconds, settings, pollIntervalSeconds).tasks.length, empty: cursors[scope].empty === true }));
  const slots = shareSlots(demands, settings.parallelism);
  return Object.fromEntries(scopes.map((scope, i) => [scope, planScope(scope, cursors[scope], nowSeconds, settings, pollIntervalSeconds, slots[i])])) as Record<AuditScope, ScopePlan>;
}

/**
 * The scope cursor after a generation's results (`results[i]` for `plan.tasks[i]`). Throws if the
 * watermark would move backwards: that is a bug, and failing loudly beats silently re-ingesting.
 */
export function foldScope(plan: ScopePlan, results: readonly AuditTaskResult[], nowSeconds: number, settings: RuntimeSettings): ScopeCursor {
  const { cursor } = plan;
  const slices: Array<AuditSlice | null> = [...cursor.inFlight];
  const drained: Array<{ seconds: number; rows: number }> = [];
  let overflowed = false;
  let refused = cursor.refused;
  let answered = false;
  // Whether a slice answered with events (or more pages), or only empty ones answered.
  let found = false;
  let emptyAnswer = false;
  plan.tasks.forEach((task, i) => {
    const r = results[i]!;
    if (r.refused) {
      refused = { status: r.refused.status, reason: r.refused.message, since: refused?.since ?? nowSeconds, retryAt: nowSeconds + REFUSAL_RETRY_SECONDS };
      slices[task.index] = continued(task.slice, r, r.after);
      return;
    }
    if (r.ok) {
      answered = true;
      if (r.listed > 0 || !r.done) found = true;
      else emptyAnswer = true;
    }
    if (r.ok && r.done) {
      slices[task.index] = null;
      if (task.cut) drained.push({ seconds: task.slice.lt - task.slice.gte, rows: r.listed });
      return;
    }
    if (task.cut && r.ok) overflowed = true;
    slices[task.index] = continued(task.slice, r, r.cursorInvalid ? null : r.after);
  });
  if (answered && !plan.tasks.some((_, i) => results[i]!.refused)) refused = null;
  const inFlight = slices.filter((s): s is AuditSlice => s !== null).sort((a, b) => a.gte - b.gte || a.lt - b.lt);
  let { sweep, lateSweptAt } = cursor;
  if (sweep && sweep.next >= sweep.end && !inFlight.some((s) => s.late)) {
    lateSweptAt = sweep.startedAt;
    sweep = null;
  }
  // Read up to the first slice still in flight beyond the old watermark, or to the frontier.
  const pending = inFlight.filter((s) => s.lt > cursor.watermark).map((s) => Math.max(s.gte, cursor.watermark));
  const uncut = sweep && sweep.next < sweep.end ? [Math.max(sweep.next, cursor.watermark)] : [];
  const watermark = Math.min(cursor.frontier, ...pending, ...uncut);
  if (watermark < cursor.watermark) throw new Error(`audit watermark would move backwards from ${cursor.watermark} to ${watermark}`);
  // No answer (failures only, or no task) tells nothing new: the scope stays as it was.
  const empty = found ? false : emptyAnswer || cursor.empty === true;
  const { empty: _was, ...rest } = cursor;
  return { ...rest, watermark, inFlight, sweep, lateSweptAt, refused, sliceSeconds: nextSliceSeconds(cursor.sliceSeconds, drained, overflowed, settings), ...(empty ? { empty: true as const } : {}) };
}

/**
 * True when nothing is in flight, no sweep is in progress, and less than a minimum slice remains
 * before the horizon (time moves on while a generation runs; chasing it with tiny slices would
 * spin). A refused scope waits for its retry time and counts as caught up.
 */
export function scopeCaughtUp(cursor: ScopeCursor, nowSeconds: number, settings: RuntimeSettings): boolean {
  if (cursor.refused && nowSeconds < cursor.refused.retryAt) return true;
  return cursor.inFlight.length === 0 && cursor.sweep === null && cursor.frontier > nowSeconds - settings.lagSeconds - MIN_SLICE_SECONDS;
}
