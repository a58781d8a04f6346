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
 *
 * Two kinds of `created` take no part in this arithmetic ({@link OddCreated}): one more than
 * {@link FUTURE_TOLERANCE_SECONDS} ahead of the collector's clock is delivered and remembered like
 * any other, but is not the newest completion (it would make the lag 0 and every later completion
 * "late"); one that names no Unix second (src/openai/createdOrder.ts) is delivered as it came and
 * remembered by digest alone.
 */
import { digest32, packDigests, unpackDigests } from "./digest";
import type { Anchor, Segment } from "./completionSweep";
import { emptyMemory, MemoryBook, upgradeMemory, type LateMemory, type LateMemoryV2 } from "./lateMemory";

/** Version of {@link ChatCursor}; older cursors are migrated by {@link toChatCursor}. */
export const CHAT_CURSOR_VERSION = 3;
/** A completion created more than this many seconds after the collector's clock is future-dated (clock skew upstream). */
export const FUTURE_TOLERANCE_SECONDS = 300;
/** Unplaced completions remembered (the most recent); beyond it the oldest may be delivered again. */
export const MAX_UNPLACED_REMEMBERED = 64;

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
  /**
   * Completions delivered a second time because the memory held their second only in a bucket
   * (rates beyond its budget) and that bucket listed something else (a late arrival, a deletion):
   * at most this many duplicate rows (same `Id`).
   */
  readonly redelivered: number;
}

/** Completions whose `created` the cursor does not use as a time (shown in status). */
export interface OddCreated {
  /** Delivered with `created` more than {@link FUTURE_TOLERANCE_SECONDS} ahead of the collector's clock: not counted as the newest. */
  readonly future: number;
  /** Delivered with a `created` that names no Unix second: delivered as it came, outside the time arithmetic. */
  readonly unplaced: number;
  /** Packed digests of the last {@link MAX_UNPLACED_REMEMBERED} unplaced ones delivered, oldest first, so they are not delivered again. */
  readonly unplacedIds: string;
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
  readonly odd: OddCreated;
  /**
   * A completion known to exist below the floor of the current (or next) pass, listed by the pass
   * before: the bottom segment's listing may not end above it while it exists. Absent when none is known.
   */
  readonly below?: Anchor | null;
}

/** The cursor of version 2 (a late memory with count-only minutes), as persisted by the release before. */
export interface ChatCursorV2 {
  readonly v: 2;
  readonly startTime: number;
  readonly memory: LateMemoryV2 | null;
  readonly newest: number | null;
  readonly pass: (Omit<ChatPass, "segments" | "nextMemory"> & {
    readonly segments: readonly (Omit<Segment, "memory" | "progress"> & { readonly memory: LateMemoryV2 | null; readonly progress: Omit<Segment["progress"], "check" | "reread"> })[];
    readonly nextMemory: LateMemoryV2 | null;
  }) | null;
  readonly late: { readonly collected: number; readonly maxDelaySeconds: number | null; readonly mayHaveMissed: number };
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
  return {
    v: CHAT_CURSOR_VERSION, startTime, memory: emptyMemory(startTime), newest: null, pass: null,
    late: { collected: 0, maxDelaySeconds: null, redelivered: 0 }, odd: { future: 0, unplaced: 0, unplacedIds: "" },
  };
}

/** `odd` after a generation delivered `future` future-dated and the unplaced completions `unplaced` (digests). */
export function countOdd(odd: OddCreated, future: number, unplaced: readonly number[]): OddCreated {
  if (future === 0 && unplaced.length === 0) return odd;
  const known = unpackDigests(odd.unplacedIds);
  const fresh = [...new Set(unplaced)].filter((d) => !known.includes(d));
  return { future: odd.future + future, unplaced: odd.unplaced + fresh.length, unplacedIds: packDigests([...known, ...fresh].slice(-MAX_UNPLACED_REMEMBERED)) };
}

/** A version-2 cursor as version 3: memories upgraded (their count-only minutes dropped), bucket checks not begun. */
function fromV2(cursor: ChatCursorV2): ChatCursor {
  const memory = (m: LateMemoryV2 | null) => (m ? upgradeMemory(m) : null);
  const pass: ChatPass | null = cursor.pass && {
    ...cursor.pass,
    nextMemory: memory(cursor.pass.nextMemory),
    segments: cursor.pass.segments.map((s) => {
      const { top, low, after, at } = s.progress;
      return { ...s, memory: memory(s.memory), progress: { top, low, after, at, check: null, reread: null } };
    }),
  };
  return {
    v: CHAT_CURSOR_VERSION, startTime: cursor.startTime, memory: memory(cursor.memory), newest: cursor.newest, pass,
    late: { collected: cursor.late.collected, maxDelaySeconds: cursor.late.maxDelaySeconds, redelivered: 0 }, odd: { future: 0, unplaced: 0, unplacedIds: "" },
    ...(cursor.below ? { below: cursor.below } : {}),
  };
}

function remembering(since: number, points: readonly ({ readonly created: number; readonly ids: readonly string[] } | null)[]): LateMemory {
  const book = new MemoryBook(emptyMemory(since));
  for (const p of points) for (const id of p?.ids ?? []) book.add(p!.created, id);
  return book.close();
}

const packed = (p: { readonly created: number; readonly ids: readonly string[] } | null) => (p ? { created: p.created, ids: packDigests(p.ids.map(digest32)) } : null);

/**
 * The cursor as version 3. A version-2 cursor keeps its passes and exact memory; the count-only
 * minutes of its memory are dropped, so what a pass lists there is delivered again rather than
 * skipped. A version-1 cursor becomes one with the same guarantees: its watermark second is the
 * floor (it had no late horizon, so nothing below it can be judged) and its ids are remembered; a
 * sweep in progress continues as the top segment of a pass that remembers from the sweep's newest
 * second on, so nothing it delivered is delivered again.
 */
export function toChatCursor(cursor: ChatCursor | ChatCursorV2 | LegacyCompletionCursor | null, startTime: number, nowSeconds: number): ChatCursor {
  if (cursor === null) return initialChatCursor(startTime);
  if ("v" in cursor && cursor.v === CHAT_CURSOR_VERSION) return cursor;
  if ("v" in cursor && cursor.v === 2) return fromV2(cursor);
  const legacy = cursor;
  const floor = legacy.watermark?.created ?? legacy.startTime;
  const base: ChatCursor = { ...initialChatCursor(legacy.startTime), memory: remembering(floor, [legacy.watermark]), newest: legacy.watermark?.created ?? null };
  if (!legacy.sweep) return base;
  const { top, low, after } = legacy.sweep;
  const rememberSince = Math.max(floor, top?.created ?? floor);
  const segment: Segment = {
    lo: floor, hi: null, start: null, memory: remembering(floor, [legacy.watermark, top]),
    progress: { top: packed(top), low: packed(low), after, at: null, check: null, reread: null },
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
