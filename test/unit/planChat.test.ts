import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CompletionSegmentResult } from "../../activities/collectChatCompletions";
import type { FindAnchorsResult } from "../../activities/findChatAnchors";
import { applyAnchors, foldChatGeneration, planChatGeneration, startPass, type ChatSettings } from "../../orchestrators/planChat";
import { initialChatCursor, type ChatCursor } from "../../src/cursors/chatCursor";
import { newSegment, type Segment } from "../../src/cursors/completionSweep";
import { emptyMemory, MemoryBook } from "../../src/cursors/lateMemory";

const settings: ChatSettings = { parallelism: 2, chatPagesPerActivity: 10, chatLateHorizonSeconds: 1_800 };
const ref = { collectorId: "c", connectorName: "C", apiKeySecretName: "k" };
const NOW = 1_000_000;

function result(segment: Segment, done: boolean, extra: Partial<CompletionSegmentResult> = {}): CompletionSegmentResult {
  return {
    outcome: { kind: "ok" }, segment, done, pages: 1, rowsWritten: 0, again: 0, restarts: 0, newestEventAt: null,
    late: { collected: 0, maxDelaySeconds: null, mayHaveMissed: 0 }, listed: { count: 0, newest: null, oldest: null }, models: null, belowNextFloor: null, ...extra,
  };
}
const progressed = (s: Segment, at: number, after = `id-${at}`): Segment => ({ ...s, progress: { ...s.progress, after, at } });

describe("chat planning", () => {
  it("a pass starts as one top segment from the floor, and remembers from the next pass's floor on", () => {
    const cursor: ChatCursor = { ...initialChatCursor(100_000), memory: emptyMemory(990_000) };
    const started = startPass(cursor, NOW, settings);
    assert.deepEqual(started.pass, {
      startedAt: NOW, floor: 990_000, rememberSince: 998_160, lateAtOrBelow: null, segments: [newSegment(990_000, null, null, emptyMemory(990_000))],
      nextMemory: null, newest: null, anchors: null,
    });
    assert.equal(started.memory, null);
  });

  it("plans up to parallelism segments, each with the anchors above it to restart from, and the anchor search when there is room", () => {
    const top = progressed(newSegment(500_000, null, null, emptyMemory(100_000)), 900_000);
    const mid = newSegment(300_000, 500_000, { id: "a5", created: 500_000 }, null);
    const low = newSegment(100_000, 300_000, { id: "a3", created: 300_000 }, null);
    const base = startPass(initialChatCursor(100_000), NOW, settings);
    const cursor: ChatCursor = { ...base, pass: { ...base.pass!, segments: [top, mid, low], anchors: { models: [{ model: "m", share: 0.2 }], current: 0, after: "x", done: false } } };
    const plan = planChatGeneration(cursor, ref, settings);
    assert.deepEqual(plan.segments.map(({ index, input }) => [index, input.segment, input.restartFrom, input.countModels, input.maxPages]), [[0, top, [], false, 10], [1, mid, [], false, 10]]);
    assert.deepEqual(plan.anchors, { ...ref, model: "m", after: "x", floor: 100_000, every: 200, maxAnchors: 2, maxPages: 10 });
  });

  it("starts the anchor search after the top's first call when much is left below, with the rarest model", () => {
    const cursor = startPass(initialChatCursor(0), NOW, settings);
    const plan = planChatGeneration(cursor, ref, settings);
    assert.equal(plan.segments[0]!.input.countModels, true);
    // 1,000 listed over 10,000 s; 900,000 s left: about 90,000 more.
    const top = progressed(cursor.pass!.segments[0]!, 990_000, "last");
    const r = result(top, false, { listed: { count: 1_000, newest: 999_999, oldest: 989_999 }, models: { big: 700, small: 100, mid: 200 }, rowsWritten: 1_000, newestEventAt: 999_999 });
    const folded = foldChatGeneration(cursor, plan, [r], null, settings);
    assert.deepEqual([folded.finished, folded.cursor.pass!.segments, folded.cursor.pass!.newest, folded.cursor.pass!.anchors], [false, [top], 999_999, {
      models: [{ model: "small", share: 0.1 }, { model: "mid", share: 0.2 }], current: 0, after: "last", done: false,
    }]);
  });

  it("does not search for anchors when little is left, or with one slot", () => {
    const cursor = startPass(initialChatCursor(0), NOW, settings);
    const plan = planChatGeneration(cursor, ref, settings);
    const r = (at: number) => result(progressed(cursor.pass!.segments[0]!, at), false, { listed: { count: 1_000, newest: 999_999, oldest: 989_999 }, models: { a: 100, b: 900 } });
    assert.deepEqual(foldChatGeneration(cursor, plan, [r(999_000)], null, settings).cursor.pass!.anchors?.done, true); // above rememberSince
    assert.deepEqual(foldChatGeneration(cursor, plan, [r(15_000)], null, settings).cursor.pass!.anchors?.done, true); // ~1,500 left
    assert.deepEqual(foldChatGeneration(cursor, plan, [r(990_000)], null, { ...settings, parallelism: 1 }).cursor.pass!.anchors?.done, true);
  });

  it("anchors split the segment holding them, below rememberSince only, up to 2 × parallelism + 1 segments", () => {
    const base = startPass(initialChatCursor(0), NOW, settings);
    const top = progressed(base.pass!.segments[0]!, 900_000);
    const pass = { ...base.pass!, segments: [top] };
    const anchors = [999_000, 800_000, 600_000, 400_000, 200_000, 100_000, 50_000].map((created) => ({ id: `a${created}`, created }));
    const segments = applyAnchors(pass, anchors, settings);
    assert.deepEqual(segments.map((s) => [s.lo, s.hi, s.start?.id ?? null]), [
      [800_000, null, null], [600_000, 800_000, "a800000"], [400_000, 600_000, "a600000"], [200_000, 400_000, "a400000"], [0, 200_000, "a200000"],
    ]);
  });

  it("moves the anchor search on, to the next model when one runs out, and stops at the floor", () => {
    const base = startPass(initialChatCursor(0), NOW, settings);
    const search = { models: [{ model: "a", share: 0.1 }, { model: "b", share: 0.2 }], current: 0, after: "x", done: false };
    const cursor: ChatCursor = { ...base, pass: { ...base.pass!, segments: [progressed(base.pass!.segments[0]!, 900_000)], anchors: search } };
    const plan = planChatGeneration(cursor, ref, settings);
    const found = (end: FindAnchorsResult["end"]): FindAnchorsResult => ({ outcome: { kind: "ok" }, anchors: [{ id: "a5", created: 500_000 }], after: "y", end, pages: 3 });
    const fold = (end: FindAnchorsResult["end"]) => foldChatGeneration(cursor, plan, [result(cursor.pass!.segments[0]!, false)], found(end), settings).cursor.pass!;
    assert.deepEqual([fold("more").anchors, fold("exhausted").anchors, fold("floor").anchors, fold("more").segments.length], [
      { ...search, after: "y" }, { ...search, after: "y", current: 1 }, { ...search, after: "y", done: true }, 2,
    ]);
  });

  it("finishes the pass when every segment is done: the top's memory, trimmed to the next floor, and the late totals", () => {
    const cursor = startPass({ ...initialChatCursor(0), newest: 990_000, late: { collected: 1, maxDelaySeconds: 100, mayHaveMissed: 0 } }, NOW, settings);
    const plan = planChatGeneration(cursor, ref, settings);
    const memory = new MemoryBook(emptyMemory(0));
    memory.add(5, "old");
    memory.add(999_000, "new");
    const top = { ...cursor.pass!.segments[0]!, memory: memory.close() };
    const r = result(top, true, { newestEventAt: 999_500, late: { collected: 3, maxDelaySeconds: 400, mayHaveMissed: 2 } });
    const folded = foldChatGeneration(cursor, plan, [r], null, settings);
    const next = new MemoryBook(folded.cursor.memory!);
    assert.deepEqual([folded.finished, folded.cursor.pass, folded.cursor.newest, folded.cursor.late, folded.cursor.memory!.since, next.has(999_000, "new"), next.exactCount],
      [true, null, 999_500, { collected: 4, maxDelaySeconds: 400, mayHaveMissed: 2 }, 998_160, true, 1]);
  });

  it("tells each segment a completion known below it: the next segment's anchor, and for the bottom one what the pass before listed below this floor", () => {
    const known = { id: "k", created: 95_000 };
    const base = startPass({ ...initialChatCursor(90_000), below: known }, NOW, { ...settings, parallelism: 3 });
    const top = progressed(newSegment(500_000, null, null, null), 900_000);
    const mid = newSegment(300_000, 500_000, { id: "a5", created: 500_000 }, null);
    const low = newSegment(100_000, 300_000, { id: "a3", created: 300_000 }, null);
    const cursor: ChatCursor = { ...base, pass: { ...base.pass!, segments: [top, mid, low], anchors: { models: [], current: 0, after: "", done: true } } };
    const plan = planChatGeneration(cursor, ref, { ...settings, parallelism: 3 });
    assert.deepEqual(plan.segments.map(({ input }) => input.below), [{ id: "a5", created: 500_000 }, { id: "a3", created: 300_000 }, known]);
  });

  it("keeps the newest completion listed below the next floor, and hands it to the next pass (or keeps the older one when none was listed)", () => {
    const known = { id: "k", created: 5_000 };
    const cursor = startPass({ ...initialChatCursor(0), below: known }, NOW, settings);
    const plan = planChatGeneration(cursor, ref, settings);
    const top = cursor.pass!.segments[0]!;
    const running = foldChatGeneration(cursor, plan, [result(progressed(top, 990_000), false, { belowNextFloor: { id: "b1", created: 990_000 } })], null, settings);
    assert.deepEqual([running.cursor.pass!.belowNextFloor, running.cursor.below], [{ id: "b1", created: 990_000 }, known]);
    const older = foldChatGeneration(running.cursor, planChatGeneration(running.cursor, ref, settings), [result(top, true, { belowNextFloor: { id: "b0", created: 980_000 } })], null, settings);
    assert.deepEqual([older.finished, older.cursor.below], [true, { id: "b1", created: 990_000 }]);
    const none = foldChatGeneration(cursor, plan, [result(top, true)], null, settings);
    assert.deepEqual([none.finished, none.cursor.below], [true, known]);
  });
});
