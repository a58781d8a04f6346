/**
 * The chat-completions cursor. The list endpoint offers only `after=<id>` and `order`, and
 * `created` has one-second resolution with many ties, so the durable cursor is a *value*, not an
 * id: a watermark `{created, ids}` meaning "everything older than `created`, and these ids at
 * `created`, are delivered". Each poll is a newest-first sweep from the top down to the
 * watermark; `after` ids live only inside one sweep. Deleting any stored completion therefore
 * never stalls collection: a dead mid-sweep `after` (404, or a silent empty page caught by a
 * probe) restarts the sweep from the top, and the sweep's covered range `[low, top]` tells which
 * items were already delivered. Pure; every function returns new values.
 */

/** A point on the `created` axis with the ids already delivered at exactly that second. */
export interface TimePoint {
  readonly created: number;
  readonly ids: readonly string[];
}

/** A sweep in progress: what it delivered so far (nothing yet: null), and where to continue. */
export interface SweepProgress {
  /** Newest delivered item(s) of this sweep. */
  readonly top: TimePoint | null;
  /** Oldest delivered item(s) of this sweep. */
  readonly low: TimePoint | null;
  /** `after` for the next desc page; null to restart from the newest item. */
  readonly after: string | null;
}

/** The durable cursor of a chat-completions collector. */
export interface CompletionCursor {
  /** Everything at or below this point is delivered; null before the first full sweep. */
  readonly watermark: TimePoint | null;
  /** Items created before this Unix second are never collected (the collector's startTime). */
  readonly startTime: number;
  /** The sweep in progress, if any. */
  readonly sweep: SweepProgress | null;
}

/** How one listed item relates to the cursor. */
export type ItemVerdict =
  /** Not delivered yet: upload it. */
  | "new"
  /** Already delivered (by this sweep, or at the watermark second). */
  | "skip"
  /** Older than the watermark or the start time: the sweep is done once this page is processed. */
  | "floor";

function covers(point: TimePoint, created: number, id: string): boolean {
  return created === point.created && point.ids.includes(id);
}

/**
 * Classifies one item seen during a sweep. Only an item strictly older than the watermark ends
 * the sweep: ties at the watermark second may continue on the next page in any order. Within a
 * sweep, everything strictly between its oldest and newest delivered seconds was delivered; at
 * those two seconds only the ids listed were. Anything else is new — including items newer than
 * the sweep's top when a restarted sweep meets them, since they come first in newest-first order.
 */
export function judgeItem(cursor: CompletionCursor, created: number, id: string): ItemVerdict {
  const mark = cursor.watermark;
  if (created < cursor.startTime || (mark && created < mark.created)) return "floor";
  if (mark && covers(mark, created, id)) return "skip";
  const { top, low } = cursor.sweep ?? { top: null, low: null };
  if (!top || !low) return "new";
  const inside = (created < top.created && created > low.created) || covers(top, created, id) || covers(low, created, id);
  return inside ? "skip" : "new";
}

function extend(point: TimePoint | null, created: number, id: string, replaces: (candidate: number, current: number) => boolean): TimePoint {
  if (!point || replaces(created, point.created)) return { created, ids: [id] };
  if (created === point.created) return point.ids.includes(id) ? point : { created, ids: [...point.ids, id] };
  return point;
}

/**
 * The cursor after the items of one page were delivered; `after` is where the next page starts.
 * A sweep exists from its first page on, even when that page delivered nothing (all already
 * delivered ties): its `after` must survive, or the next call would list the same page again.
 */
export function recordDelivered(cursor: CompletionCursor, delivered: readonly { created: number; id: string }[], after: string | null): CompletionCursor {
  let top = cursor.sweep?.top ?? null;
  let low = cursor.sweep?.low ?? null;
  for (const { created, id } of delivered) {
    top = extend(top, created, id, (a, b) => a > b);
    low = extend(low, created, id, (a, b) => a < b);
  }
  return { ...cursor, sweep: { top, low, after } };
}

/** Sweep completed: its top becomes the watermark (merged with the old one at equal seconds). */
export function finishSweep(cursor: CompletionCursor): CompletionCursor {
  const top = cursor.sweep?.top ?? null;
  if (!top) return { ...cursor, sweep: null };
  const old = cursor.watermark;
  if (old && old.created > top.created) throw new Error(`watermark would move backwards from ${old.created} to ${top.created}`);
  const ids = old && old.created === top.created ? [...new Set([...old.ids, ...top.ids])] : [...top.ids];
  return { ...cursor, watermark: { created: top.created, ids }, sweep: null };
}

/** A fresh cursor that collects everything created at or after `startTime`. */
export function initialCursor(startTime: number): CompletionCursor {
  return { watermark: null, startTime, sweep: null };
}
