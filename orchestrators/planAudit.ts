/**
 * Audit-log work planning and folding. Pure: the orchestrator calls these with the cursor and
 * the orchestration clock. The range since the watermark is cut into time slices drained in
 * parallel; the watermark only passes slices whose every page was delivered; when caught up, a
 * late sweep re-reads the recent window and skips what was already delivered.
 */
import type { AuditCursor, AuditSlice, RuntimeSettings } from "./state";

/** Slice width bounds, seconds. */
export const MIN_SLICE_SECONDS = 60;
export const MAX_SLICE_SECONDS = 86_400;
/** The late window never reaches further back than this (bounds `recent` after a long outage). */
export function maxLateWindowSeconds(settings: RuntimeSettings): number {
  return Math.max(2 * settings.overlapSeconds, 3_600);
}
/** Width of the first slices of a new collector. */
export const INITIAL_SLICE_SECONDS = 3_600;

/** One activity call to plan. */
export interface AuditTask {
  readonly slice: AuditSlice;
  /** True for a slice newly cut from the frontier (used to adapt the width). */
  readonly fresh: boolean;
  /** A late sweep: re-reads a delivered range, skipping these digests. */
  readonly late?: boolean;
  readonly skip?: readonly string[];
  readonly recentSince: number;
}

/** What an audit activity reported (the parts the fold needs). */
export interface AuditTaskResult {
  readonly ok: boolean;
  readonly cursorInvalid: boolean;
  readonly done: boolean;
  readonly after: string | null;
  readonly pages: number;
  /** Rows the call delivered. */
  readonly rows: number;
  readonly recent: readonly string[];
  /** Digests of accepted rows of the page at `after` (a partly accepted upload). */
  readonly skip?: readonly string[];
}

/** The slice continuing after a result: its new `after`, and what of that page is already delivered. */
function continued(slice: AuditSlice, r: AuditTaskResult): AuditSlice {
  const { skip: _previous, ...rest } = slice;
  return { ...rest, after: r.cursorInvalid ? null : r.after, ...(r.skip && r.skip.length > 0 ? { skip: r.skip } : {}) };
}

/** New slices aim at this share of one activity's page budget (full pages, few stragglers). */
export const SLICE_FILL = 0.8;

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
 * A new audit cursor starting at `startTime`. Its first slices split the backlog into about four
 * per fan-out slot (density unknown yet); later widths follow the density seen.
 */
export function initialAuditCursor(startTime: number, nowSeconds?: number, settings?: RuntimeSettings): AuditCursor {
  const backlog = nowSeconds !== undefined && settings ? nowSeconds - settings.lagSeconds - startTime : 0;
  const width = settings && backlog > 0 ? Math.round(Math.min(MAX_SLICE_SECONDS, Math.max(INITIAL_SLICE_SECONDS, backlog / (4 * settings.parallelism)))) : INITIAL_SLICE_SECONDS;
  return { origin: startTime, watermark: startTime, frontier: startTime, inFlight: [], sliceSeconds: width, late: null, lateSweptAt: null, recent: [] };
}

/** Oldest effective_at a new late sweep must re-read: `overlap` before the last completed late sweep began. */
export function lateWindowFloor(cursor: Pick<AuditCursor, "lateSweptAt">, nowSeconds: number, settings: RuntimeSettings): number {
  return Math.max((cursor.lateSweptAt ?? nowSeconds) - settings.overlapSeconds, nowSeconds - maxLateWindowSeconds(settings));
}

/**
 * Oldest effective_at whose delivered ids must stay remembered: the late window, reaching further
 * back while a late sweep in progress started earlier (it may still meet them), within the cap.
 */
export function rememberFloor(cursor: Pick<AuditCursor, "lateSweptAt" | "late">, nowSeconds: number, settings: RuntimeSettings): number {
  const window = lateWindowFloor(cursor, nowSeconds, settings);
  const inProgress = cursor.late?.slice.gte ?? window;
  return Math.max(Math.min(window, inProgress), nowSeconds - maxLateWindowSeconds(settings));
}

function recentTime(entry: string): number {
  return Number(entry.slice(0, entry.indexOf(":")));
}

function digestOf(entry: string): string {
  return entry.slice(entry.indexOf(":") + 1);
}

/** The tasks of one generation: in-flight slices first, then new ones up to the horizon, then a late sweep. */
export function planAudit(cursor: AuditCursor, nowSeconds: number, settings: RuntimeSettings): AuditTask[] {
  const horizon = nowSeconds - settings.lagSeconds;
  const lateFloor = lateWindowFloor(cursor, nowSeconds, settings);
  const remember = rememberFloor(cursor, nowSeconds, settings);
  const tasks: AuditTask[] = cursor.inFlight.slice(0, settings.parallelism).map((slice) => ({ slice, fresh: false, recentSince: remember, ...(slice.skip ? { skip: slice.skip } : {}) }));
  let from = cursor.frontier;
  // Less than a minimum slice before the horizon waits for the next poll (see auditCaughtUp).
  while (tasks.length < settings.parallelism && horizon - from >= MIN_SLICE_SECONDS) {
    const lt = Math.min(from + cursor.sliceSeconds, horizon);
    tasks.push({ slice: { gte: from, lt, after: null }, fresh: true, recentSince: remember });
    from = lt;
  }
  const skipFor = (slice: AuditSlice) => cursor.recent.filter((e) => recentTime(e) >= slice.gte && recentTime(e) < slice.lt).map(digestOf);
  // A late sweep in progress continues (what it may meet stays remembered) unless it fell behind the cap.
  if (cursor.late && cursor.late.slice.gte >= remember) {
    tasks.push({ slice: cursor.late.slice, fresh: false, late: true, skip: [...skipFor(cursor.late.slice), ...(cursor.late.slice.skip ?? [])], recentSince: remember });
    return tasks;
  }
  const lateFrom = Math.max(lateFloor, cursor.origin);
  if (cursor.inFlight.length === 0 && horizon - from < MIN_SLICE_SECONDS && lateFrom < cursor.watermark) {
    const slice = { gte: lateFrom, lt: cursor.watermark, after: null };
    tasks.push({ slice, fresh: false, late: true, skip: skipFor(slice), recentSince: remember });
  }
  return tasks;
}

/**
 * The cursor after a generation's results (same order as the tasks; `plannedAt` is when they were
 * planned). Throws if the watermark
 * would move backwards: that is a bug, and failing loudly beats silently re-ingesting.
 */
export function foldAudit(cursor: AuditCursor, tasks: readonly AuditTask[], results: readonly AuditTaskResult[], plannedAt: number, nowSeconds: number, settings: RuntimeSettings): AuditCursor {
  const inFlight: AuditSlice[] = cursor.inFlight.slice(settings.parallelism);
  let frontier = cursor.frontier;
  const drained: Array<{ seconds: number; rows: number }> = [];
  let overflowed = false;
  const recent = new Set(cursor.recent);
  let late: AuditCursor["late"] = tasks.some((t) => t.late) ? null : cursor.late;
  let lateSweptAt = cursor.lateSweptAt;
  tasks.forEach((task, i) => {
    const r = results[i]!;
    r.recent.forEach((e) => recent.add(e));
    if (task.late) {
      // A late sweep never holds the watermark back; an unfinished one resumes next time.
      const startedAt = cursor.late && cursor.late.slice.gte === task.slice.gte && cursor.late.slice.lt === task.slice.lt ? cursor.late.startedAt : plannedAt;
      if (r.ok && r.done) lateSweptAt = startedAt;
      else late = { slice: continued(task.slice, r), startedAt };
      return;
    }
    if (task.fresh) frontier = Math.max(frontier, task.slice.lt);
    if (r.ok && r.done) {
      if (task.fresh) drained.push({ seconds: task.slice.lt - task.slice.gte, rows: r.rows });
      return;
    }
    if (task.fresh && r.ok) overflowed = true;
    inFlight.push(continued(task.slice, r));
  });
  inFlight.sort((a, b) => a.gte - b.gte);
  const sliceSeconds = nextSliceSeconds(cursor.sliceSeconds, drained, overflowed, settings);
  const watermark = inFlight[0]?.gte ?? frontier;
  if (watermark < cursor.watermark) throw new Error(`audit watermark would move backwards from ${cursor.watermark} to ${watermark}`);
  const floor = rememberFloor({ lateSweptAt, late }, nowSeconds, settings);
  return { origin: cursor.origin, watermark, frontier, inFlight, sliceSeconds, late, lateSweptAt, recent: [...recent].filter((e) => recentTime(e) >= floor) };
}

/**
 * True when nothing is in flight and less than a minimum slice remains before the horizon (time
 * moves on while a generation runs; chasing it with tiny slices would spin).
 */
export function auditCaughtUp(cursor: AuditCursor, nowSeconds: number, settings: RuntimeSettings): boolean {
  return cursor.inFlight.length === 0 && cursor.frontier > nowSeconds - settings.lagSeconds - MIN_SLICE_SECONDS;
}
