/**
 * Segments of a chat-completions pass. The list endpoint (`GET /chat/completions`, openai-openapi.yaml
 * `listChatCompletions`) has no time filter, only `order` ("sort order … by timestamp") and
 * `after=<id>`; `created` has one-second resolution with many ties, and the order of ties is
 * undocumented (openai-api.md §8.11). So a segment is defined by *whole seconds*, not by ids: it
 * owns the completions created in `[lo, hi)` and reads them `order=desc` starting after an anchor
 * (a completion created in second `hi`), until it meets one created before `lo`. Whichever order
 * the server gives ties, every completion of second `s` comes after every completion of a newer
 * second, so the segment owning `s` sees all of them; ties at `hi` that follow the anchor are left
 * to the segment above, which reads through the whole of second `hi`.
 *
 * Progress is a value, not an id: the newest and oldest delivered points `{created, ids}` of the
 * segment. A dead `after` (the completion was deleted) is recovered by reading again from a point
 * above it: everything strictly between those two points was delivered, and at those seconds
 * only the listed ids were. Pure; every function returns new values.
 */
import { digest32, packDigests, unpackDigests } from "./digest";
import { canSplitAt, splitMemory, type LateMemory, type MemoryBook } from "./lateMemory";

/** A point on the `created` axis with the digests ({@link packDigests}) of the ids delivered at exactly that second. */
export interface TimePoint {
  readonly created: number;
  readonly ids: string;
}

/** A stored completion used as a starting point: `order=desc&after=<id>` lists what is older. */
export interface Anchor {
  readonly id: string;
  /** Its `created`, Unix seconds. */
  readonly created: number;
}

/** How far a segment got. */
export interface SweepProgress {
  /** Newest delivered point of this segment; null before it delivered anything. */
  readonly top: TimePoint | null;
  /** Oldest delivered point. */
  readonly low: TimePoint | null;
  /** `after` for the next desc page; null reads from the newest completion. */
  readonly after: string | null;
  /** `created` of the completion `after` names: the segment has read everything above it. */
  readonly at: number | null;
  /** A count-only minute of the late memory being counted when a call ended (see lateMemory.ts). */
  readonly tally: { readonly minute: number; readonly count: number } | null;
}

/** One segment of a pass. */
export interface Segment {
  /** Owns completions created at or after this Unix second… */
  readonly lo: number;
  /** …and before this one; null for the top segment, which owns everything newer too. */
  readonly hi: number | null;
  /** It starts after this completion (created in second `hi`); null for the top segment. */
  readonly start: Anchor | null;
  readonly progress: SweepProgress;
  /** What earlier passes delivered inside `[lo, hi)`; null when they delivered nothing there. */
  readonly memory: LateMemory | null;
}

/** How one listed completion relates to a segment. */
export type ItemVerdict =
  /** Not delivered yet: upload it. */
  | "new"
  /** Delivered by this segment before a restart re-listed it. */
  | "again"
  /** Delivered by an earlier pass (late memory). */
  | "known"
  /** In the late memory's count-only minutes: counted, not uploaded (it cannot tell new from delivered there). */
  | "tail"
  /** Newer than the segment (`created ≥ hi`): another segment's. */
  | "outside"
  /** Older than the segment: it is done once this page is processed. */
  | "floor";

function covers(point: TimePoint | null, created: number, id: string): boolean {
  return point !== null && point.created === created && unpackDigests(point.ids).includes(digest32(id));
}

/** Classifies one completion listed by `segment`; `book` is the segment's memory opened for this call. */
export function judgeItem(segment: Segment, book: MemoryBook | null, created: number, id: string): ItemVerdict {
  if (created < segment.lo) return "floor";
  if (segment.hi !== null && created >= segment.hi) return "outside";
  const { top, low } = segment.progress;
  if (top && low && ((created < top.created && created > low.created) || covers(top, created, id) || covers(low, created, id))) return "again";
  if (book) {
    const region = book.region(created);
    if (region === "tail") return "tail";
    if (region === "exact" && book.has(created, id)) return "known";
  }
  return "new";
}

function extend(point: TimePoint | null, created: number, id: string, replaces: (candidate: number, current: number) => boolean): TimePoint {
  const digest = digest32(id);
  if (!point || replaces(created, point.created)) return { created, ids: packDigests([digest]) };
  if (created !== point.created) return point;
  const ids = unpackDigests(point.ids);
  return ids.includes(digest) ? point : { created, ids: packDigests([...ids, digest]) };
}

/**
 * Progress after the completions of one page were delivered; `after`/`at` name the page's last
 * completion, where the next page starts. Kept even when the page delivered nothing, or the next
 * call would list the same page again.
 */
export function recordDelivered(progress: SweepProgress, delivered: readonly { created: number; id: string }[], after: string | null, at: number | null): SweepProgress {
  let { top, low } = progress;
  for (const { created, id } of delivered) {
    top = extend(top, created, id, (a, b) => a > b);
    low = extend(low, created, id, (a, b) => a < b);
  }
  return { ...progress, top, low, after, at };
}

/** A segment that has not read anything yet. */
export function newSegment(lo: number, hi: number | null, start: Anchor | null, memory: LateMemory | null): Segment {
  return { lo, hi, start, progress: { top: null, low: null, after: start?.id ?? null, at: start?.created ?? null, tally: null }, memory };
}

/** The oldest second a segment has read down to (everything newer in it was listed): +∞ before its first page. */
export function readDownTo(segment: Segment): number {
  return segment.progress.at ?? segment.hi ?? Number.POSITIVE_INFINITY;
}

/** Whether `anchor` can split `segment`: it lies strictly inside the part not read yet, on a boundary its memory can split at. */
export function canSplit(segment: Segment, anchor: Anchor): boolean {
  return anchor.created > segment.lo && anchor.created < readDownTo(segment) && (segment.memory === null || canSplitAt(segment.memory, anchor.created));
}

/**
 * Splits `segment` at `anchor` into the part it keeps, `[anchor.created, hi)`, and a new segment
 * `[lo, anchor.created)` that starts after the anchor. Each takes the late memory of its range.
 */
export function splitSegment(segment: Segment, anchor: Anchor): { readonly upper: Segment; readonly lower: Segment } {
  if (!canSplit(segment, anchor)) throw new Error(`cannot split [${segment.lo}, ${segment.hi ?? "∞"}) read down to ${readDownTo(segment)} at ${anchor.created}`);
  const parts = segment.memory ? splitMemory(segment.memory, anchor.created) : { below: null, atOrAbove: null };
  return {
    upper: { ...segment, lo: anchor.created, memory: parts.atOrAbove },
    lower: newSegment(segment.lo, anchor.created, anchor, parts.below),
  };
}
