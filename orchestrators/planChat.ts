/**
 * Planning for chat-completions collectors, as pure functions: start a pass, choose the page
 * activities of one generation, fold their results, split the backlog into segments.
 *
 * A pass starts as one segment that reads the whole range newest first. When the part left below
 * it is large (a backfill, a long outage), a model-filtered listing (activities/findChatAnchors.ts)
 * runs ahead and returns anchors: completion ids deep in the backlog. Each anchor splits the
 * segment that holds it into two disjoint segments by whole `created` seconds, and up to
 * `parallelism` segments are read at once. Completeness never depends on the anchors or on the
 * set of models: the segments read the unfiltered listing and together own every second from the
 * floor up. Anchors are only used below `rememberSince`, so the top segment alone remembers what
 * the next pass needs. State stays small: at most 2 × parallelism + 1 segments, each a few points.
 */
import type { CompletionSegmentInput, CompletionSegmentResult } from "../activities/collectChatCompletions";
import type { FindAnchorsInput, FindAnchorsResult } from "../activities/findChatAnchors";
import type { CollectorRef } from "../activities/deps";
import { restartPoints, type AnchorSearch, type ChatCursor, type ChatPass } from "../src/cursors/chatCursor";
import { canSplit, newSegment, readDownTo, splitSegment, type Segment } from "../src/cursors/completionSweep";
import { emptyMemory, exactCount, forgetBefore, LATE_MEMORY_MAX_CHARS, type LateMemory } from "../src/cursors/lateMemory";
import type { RuntimeSettings } from "./state";

/** Default late horizon when the settings recorded in history predate it, seconds. */
export const FALLBACK_LATE_HORIZON_SECONDS = 1_800;
/** A model that makes up more than this share of the completions is not worth listing for anchors. */
export const MAX_ANCHOR_MODEL_SHARE = 0.5;
/** Pages the top segment reads in the first generation of a pass, alone: enough to sample the models and the density. */
export const FIRST_CALL_PAGES = 2;
/** The smallest memory budget a segment is given, characters. */
const MIN_MEMORY_BUDGET = 1_000;

/** The pieces of the settings that chat planning uses. */
export type ChatSettings = Pick<RuntimeSettings, "parallelism" | "chatPagesPerActivity" | "chatLateHorizonSeconds">;

/** One generation's activities. */
export interface ChatPlan {
  /** Segment activities: the index of the segment in the pass, and the input. */
  readonly segments: readonly { readonly index: number; readonly input: CompletionSegmentInput }[];
  readonly anchors: FindAnchorsInput | null;
}

const floorMinute = (seconds: number) => Math.floor(seconds / 60) * 60;
const maxSegments = (settings: ChatSettings) => 2 * settings.parallelism + 1;
const memoryChars = (m: LateMemory | null) => (m ? JSON.stringify(m).length : 0);

/** Starts a pass at `nowSeconds`: one segment from the floor (the memory's `since`) up, holding the memory. */
export function startPass(cursor: ChatCursor, nowSeconds: number, settings: ChatSettings): ChatCursor {
  const horizon = settings.chatLateHorizonSeconds ?? FALLBACK_LATE_HORIZON_SECONDS;
  const memory = cursor.memory ?? emptyMemory(cursor.startTime);
  const floor = Math.max(cursor.startTime, memory.since);
  const pass: ChatPass = {
    startedAt: nowSeconds, floor, rememberSince: Math.max(floor, floorMinute(nowSeconds - horizon)), lateAtOrBelow: cursor.newest,
    segments: [newSegment(floor, null, null, memory)], nextMemory: null, newest: null, anchors: null,
  };
  return { ...cursor, memory: null, pass };
}

/** The activities of one generation of a pass: up to `parallelism` segments, and the anchor search when it can help. */
export function planChatGeneration(cursor: ChatCursor, ref: CollectorRef, settings: ChatSettings): ChatPlan {
  const pass = cursor.pass;
  if (!pass) throw new Error("planChatGeneration needs a pass; call startPass first");
  const used = pass.segments.reduce((n, s) => n + memoryChars(s.memory), 0);
  const sampling = pass.anchors === null && settings.parallelism > 1;
  const segments = pass.segments.slice(0, settings.parallelism).map((segment, index) => ({
    index,
    input: {
      ...ref, segment, restartFrom: restartPoints(pass.segments, index), below: pass.segments[index + 1]?.start ?? cursor.below ?? null,
      rememberSince: pass.rememberSince, lateAtOrBelow: pass.lateAtOrBelow,
      memoryBudget: Math.max(MIN_MEMORY_BUDGET, LATE_MEMORY_MAX_CHARS - (used - memoryChars(segment.memory))),
      maxPages: sampling ? Math.min(FIRST_CALL_PAGES, settings.chatPagesPerActivity) : settings.chatPagesPerActivity, countModels: sampling,
    },
  }));
  const search = pass.anchors;
  const room = maxSegments(settings) - pass.segments.length;
  const anchors: FindAnchorsInput | null = search && !search.done && room > 0
    ? {
      ...ref, model: search.models[search.current]!.model, after: search.after, floor: pass.floor, maxAnchors: room, maxPages: settings.chatPagesPerActivity,
      every: Math.max(1, Math.round(settings.chatPagesPerActivity * 100 * search.models[search.current]!.share)),
    }
    : null;
  return { segments, anchors };
}

/**
 * Whether to look for anchors, decided once per pass from the top segment's first call: only when
 * the part below it is older than `rememberSince` and holds more than two activity calls' worth
 * of completions (estimated from the density it listed), and some model is rare enough.
 */
function considerAnchors(pass: ChatPass, top: Segment | undefined, result: CompletionSegmentResult | undefined, settings: ChatSettings): AnchorSearch | null {
  const none: AnchorSearch = { models: [], current: 0, after: "", done: true };
  if (settings.parallelism < 2) return none;
  if (!top || !result?.models || top.progress.after === null) return result ? none : null;
  const { count, newest, oldest } = result.listed;
  const below = readDownTo(top);
  if (count === 0 || newest === null || oldest === null || below >= pass.rememberSince) return none;
  const remaining = (count / Math.max(1, newest - oldest)) * (below - pass.floor);
  if (remaining <= 2 * settings.chatPagesPerActivity * 100) return none;
  const models = Object.entries(result.models).filter(([model]) => model !== "")
    .map(([model, n]) => ({ model, share: n / count })).filter((m) => m.share <= MAX_ANCHOR_MODEL_SHARE)
    .sort((a, b) => a.share - b.share || (a.model < b.model ? -1 : 1));
  return models.length > 0 ? { models, current: 0, after: top.progress.after, done: false } : none;
}

/** Applies anchors (newest first) to the segments: each splits the segment whose unread part holds it. */
export function applyAnchors(pass: ChatPass, anchors: FindAnchorsResult["anchors"], settings: ChatSettings): readonly Segment[] {
  const segments = [...pass.segments];
  for (const anchor of anchors) {
    if (segments.length >= maxSegments(settings) || anchor.created >= pass.rememberSince) continue;
    const at = segments.findIndex((s) => canSplit(s, anchor));
    if (at < 0) continue;
    const { upper, lower } = splitSegment(segments[at]!, anchor);
    segments.splice(at, 1, upper, lower);
  }
  return segments;
}

function nextSearch(search: AnchorSearch, result: FindAnchorsResult): AnchorSearch {
  if (result.end === "floor") return { ...search, after: result.after, done: true };
  if (result.end === "exhausted") return { ...search, after: result.after, current: search.current + 1, done: search.current + 1 >= search.models.length };
  return { ...search, after: result.after };
}

/** The folded generation: the next cursor, and whether the pass finished (the collector is caught up). */
export interface ChatFold {
  readonly cursor: ChatCursor;
  readonly finished: boolean;
}

/** Folds a generation's results into the cursor; finishes the pass when no segment is left. */
export function foldChatGeneration(cursor: ChatCursor, plan: ChatPlan, results: readonly CompletionSegmentResult[], anchorsResult: FindAnchorsResult | null, settings: ChatSettings): ChatFold {
  const pass = cursor.pass;
  if (!pass) throw new Error("foldChatGeneration needs a pass");
  const segments: Array<Segment | null> = [...pass.segments];
  let nextMemory = pass.nextMemory;
  let newest = pass.newest;
  let belowNextFloor = pass.belowNextFloor ?? null;
  let late = cursor.late;
  plan.segments.forEach(({ index }, i) => {
    const r = results[i]!;
    segments[index] = r.done ? null : r.segment;
    if (r.done && r.segment.hi === null) nextMemory = r.segment.memory ?? emptyMemory(pass.rememberSince);
    if (r.newestEventAt !== null) newest = Math.max(newest ?? r.newestEventAt, r.newestEventAt);
    if (r.belowNextFloor && (belowNextFloor === null || r.belowNextFloor.created > belowNextFloor.created)) belowNextFloor = r.belowNextFloor;
    late = {
      collected: late.collected + r.late.collected, mayHaveMissed: late.mayHaveMissed + r.late.mayHaveMissed,
      maxDelaySeconds: r.late.maxDelaySeconds === null ? late.maxDelaySeconds : Math.max(late.maxDelaySeconds ?? 0, r.late.maxDelaySeconds),
    };
  });
  const topIndex = plan.segments.findIndex(({ input }) => input.segment.hi === null);
  let next: ChatPass = { ...pass, segments: segments.filter((s): s is Segment => s !== null), nextMemory, newest, ...(belowNextFloor ? { belowNextFloor } : {}) };
  if (next.anchors === null && topIndex >= 0) next = { ...next, anchors: considerAnchors(next, next.segments.find((s) => s.hi === null), results[topIndex], settings) };
  if (anchorsResult && next.anchors && anchorsResult.outcome.kind === "ok") {
    next = { ...next, segments: applyAnchors(next, anchorsResult.anchors, settings), anchors: nextSearch(next.anchors, anchorsResult) };
  }
  if (next.segments.length > 0) return { cursor: { ...cursor, late, pass: next }, finished: false };
  const memory = forgetBefore(next.nextMemory ?? emptyMemory(next.rememberSince), next.rememberSince);
  const delivered = next.newest === null ? cursor.newest : Math.max(cursor.newest ?? next.newest, next.newest);
  const below = next.belowNextFloor ?? cursor.below;
  return { cursor: { ...cursor, late, memory, newest: delivered, pass: null, ...(below ? { below } : {}) }, finished: true };
}

/** A short, secret-free summary of the cursor for the status. */
export function chatCursorSummary(cursor: ChatCursor, settings?: ChatSettings): Record<string, unknown> {
  const iso = (s: number) => new Date(s * 1000).toISOString();
  const pass = cursor.pass;
  const memory = pass ? pass.segments.find((s) => s.hi === null)?.memory ?? pass.nextMemory : cursor.memory;
  return {
    startTime: iso(cursor.startTime),
    newest: cursor.newest === null ? null : iso(cursor.newest),
    passStartedAt: pass ? iso(pass.startedAt) : null,
    floor: iso(pass?.floor ?? cursor.memory?.since ?? cursor.startTime),
    segments: pass?.segments.length ?? 0,
    anchorModel: pass?.anchors && !pass.anchors.done ? pass.anchors.models[pass.anchors.current]?.model ?? null : null,
    lateHorizonSeconds: settings?.chatLateHorizonSeconds ?? FALLBACK_LATE_HORIZON_SECONDS,
    lateCollected: cursor.late.collected,
    lateMaxDelaySeconds: cursor.late.maxDelaySeconds,
    lateMayHaveMissed: cursor.late.mayHaveMissed,
    rememberedIds: memory ? exactCount(memory) : 0,
    rememberedExactlyFrom: memory ? iso(memory.exactFrom) : null,
  };
}
