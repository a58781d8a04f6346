/**
 * The durable cursor of a chat-completions collector: small, typed, versioned, carried in
 * orchestration history from one generation to the next.
 *
 * Collection runs in *passes*. A pass starting at time P reads, newest first, everything created
 * at or after its floor F: the previous pass's start minus the late horizon H (the first pass:
 * the collector's start time). Above the previous pass's newest completion everything is new;
 * below it, the late memory ({@link LateMemory}) tells the completions delivered before from the
 * ones that became listable late. A completion listable within H of its `created` is therefore
 * delivered exactly once: the first pass that starts after it became listable reaches down to it
 * (its floor is at most H before the start of the pass before, which started before it was listable),
 * and a pass remembers every completion it delivers at or after P − H, its successor's floor.
 *
 * A pass is split into segments ({@link Segment}) read at once; see orchestrators/planChat.ts.
 */
import { digest32, packDigests } from "./digest";
import type { Anchor, Segment } from "./completionSweep";
import { emptyMemory, MemoryBook, type LateMemory } from "./lateMemory";

/** Version of {@link ChatCursor}; older cursors are migrated by {@link toChatCursor}. */
export const CHAT_CURSOR_VERSION = 2;

/** The model-filtered listing that finds anchors for a pass (activities/findChatAnchors.ts). */
export interface AnchorSearch {
  /** Models to list, rarest first, with their share (0–1) of the completions sampled at the top. */
  readonly models: readonly { readonly model: string; readonly share: number }[];
  /** Index in `models` of the one listed now. */
  readonly current: number;
  /** Continue after this completion. */
  readonly after: string;
  /** No more anchors in this pass. */
  readonly done: boolean;
}

/** A pass in progress. */
export interface ChatPass {
  /** When it started, Unix seconds (orchestration time). */
  readonly startedAt: number;
  /** Completions created before this Unix second are not read. */
  readonly floor: number;
  /** Completions delivered at or after this Unix second are remembered: the next pass's floor. */
  readonly rememberSince: number;
  /** A completion delivered at or below this second (the newest before this pass) arrived late; null in the first pass. */
  readonly lateAtOrBelow: number | null;
  /** Segments still reading, the top one (`hi` null) first, then by `hi` descending. */
  readonly segments: readonly Segment[];
  /** The top segment's memory once it finished; the next pass starts from it. */
  readonly nextMemory: LateMemory | null;
  /** Newest `created` delivered in this pass. */
  readonly newest: number | null;
  /** The anchor search; null before it was considered. */
  readonly anchors: AnchorSearch | null;
  /** The newest completion listed so far that lies below `rememberSince` (the next pass's floor); absent when none. */
  readonly belowNextFloor?: Anchor | null;
}

/** Late arrivals over the collector's life (shown in status). */
export interface LateTotals {
  /** Completions delivered although they became listable after a pass had passed their `created`. */
  readonly collected: number;
  /** Largest age of such a completion when it was delivered, seconds. */
  readonly maxDelaySeconds: number | null;
  /** Completions listed late where the memory keeps only counts (rates beyond its budget): not collected (a lower bound when completions are deleted). */
  readonly mayHaveMissed: number;
}

/** The durable cursor. */
export interface ChatCursor {
  readonly v: typeof CHAT_CURSOR_VERSION;
  /** Completions created before this Unix second are never collected (the collector's startTime). */
  readonly startTime: number;
  /** Between passes: what was delivered since `memory.since`, which is the next pass's floor. Null during a pass. */
  readonly memory: LateMemory | null;
  /** Newest `created` delivered by a finished pass. */
  readonly newest: number | null;
  readonly pass: ChatPass | null;
  readonly late: LateTotals;
  /**
   * A completion known to exist below the floor of the current (or next) pass, listed by the pass
   * before: the bottom segment's listing may not end above it while it exists. Absent when none is known.
   */
  readonly below?: Anchor | null;
}

/** The cursor of version 1 (one sweep down to a watermark), as persisted by earlier releases. */
export interface LegacyCompletionCursor {
  readonly watermark: { readonly created: number; readonly ids: readonly string[] } | null;
  readonly startTime: number;
  readonly sweep: {
    readonly top: { readonly created: number; readonly ids: readonly string[] } | null;
    readonly low: { readonly created: number; readonly ids: readonly string[] } | null;
    readonly after: string | null;
  } | null;
}

/** A fresh cursor that collects everything created at or after `startTime`. */
export function initialChatCursor(startTime: number): ChatCursor {
  return { v: CHAT_CURSOR_VERSION, startTime, memory: emptyMemory(startTime), newest: null, pass: null, late: { collected: 0, maxDelaySeconds: null, mayHaveMissed: 0 } };
}

function remembering(since: number, points: readonly ({ readonly created: number; readonly ids: readonly string[] } | null)[]): LateMemory {
  const book = new MemoryBook(emptyMemory(since));
  for (const p of points) for (const id of p?.ids ?? []) book.add(p!.created, id);
  return book.close();
}

const packed = (p: { readonly created: number; readonly ids: readonly string[] } | null) => (p ? { created: p.created, ids: packDigests(p.ids.map(digest32)) } : null);

/**
 * The cursor as version 2. A version-1 cursor becomes one with the same guarantees: its watermark
 * second is the floor (it had no late horizon, so nothing below it can be judged) and its ids are
 * remembered; a sweep in progress continues as the top segment of a pass that remembers from the
 * sweep's newest second on, so nothing it delivered is delivered again.
 */
export function toChatCursor(cursor: ChatCursor | LegacyCompletionCursor | null, startTime: number, nowSeconds: number): ChatCursor {
  if (cursor === null) return initialChatCursor(startTime);
  if ("v" in cursor && cursor.v === CHAT_CURSOR_VERSION) return cursor;
  const legacy = cursor as LegacyCompletionCursor;
  const floor = legacy.watermark?.created ?? legacy.startTime;
  const base: ChatCursor = { ...initialChatCursor(legacy.startTime), memory: remembering(floor, [legacy.watermark]), newest: legacy.watermark?.created ?? null };
  if (!legacy.sweep) return base;
  const { top, low, after } = legacy.sweep;
  const rememberSince = Math.max(floor, top?.created ?? floor);
  const segment: Segment = {
    lo: floor, hi: null, start: null, memory: remembering(floor, [legacy.watermark, top]),
    progress: { top: packed(top), low: packed(low), after, at: null, tally: null },
  };
  return {
    ...base, memory: null,
    pass: { startedAt: nowSeconds, floor, rememberSince, lateAtOrBelow: base.newest, segments: [segment], nextMemory: null, newest: null, anchors: null },
  };
}

/** The anchors of the segments above `index` (nearest first): where a segment whose `after` died can read again from. */
export function restartPoints(segments: readonly Segment[], index: number): Anchor[] {
  return segments.slice(0, index).flatMap((s) => (s.start ? [s.start] : [])).reverse();
}
