/** The pure parts of compliance-log collection: instants, streams, the listing, the cursor, planning. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareIso, isoToNanos, isoToUnixSeconds, laterIso, minusSeconds, nanosToIso } from "../../src/compliance/isoTime";
import { assertForward, initialLogFileCursor, listFrom, MAX_REMEMBERED_EVENT_IDS, pageDelivered, pruneCursor, type LogFileCursor } from "../../src/compliance/logFileCursor";
import { parseLogFilePage } from "../../src/compliance/logFiles";
import { resolveStreams } from "../../src/compliance/streams";
import { complianceCaughtUp, foldCompliance, initialComplianceCursor, planCompliance } from "../../orchestrators/planCompliance";

const WS = "be545252-ad04-4cfa-9ca5-deca58416151";
const ORG_ID = "org-Acme01";

describe("instants at microsecond precision", () => {
  it("compare what a Date cannot tell apart, across zone spellings", () => {
    assert.deepEqual([
      compareIso("2026-07-16T01:00:00.123456Z", "2026-07-16T01:00:00.123457Z"),
      compareIso("2026-07-16T01:00:00.123456Z", "2026-07-16T01:00:00.123456+00:00"),
      compareIso("2026-07-16T03:00:00.5+02:00", "2026-07-16T01:00:00.499999999Z"),
      compareIso("2026-07-16T01:00:00Z", "2026-07-16T01:00:00.000000Z"),
    ], [-1, 0, 1, 0]);
  });
  it("keep every digit when written back, and do arithmetic in whole seconds", () => {
    assert.deepEqual([
      nanosToIso(isoToNanos("2026-07-16T01:00:00.123456+00:00")!), nanosToIso(isoToNanos("2026-07-16T01:00:00.123456789Z")!),
      minusSeconds("2026-07-16T01:00:00.000001Z", 3_600), isoToUnixSeconds("1970-01-01T00:00:01.999999Z"), laterIso("2026-07-16T01:00:00Z", "2026-07-16T01:00:00.000000Z"),
    ], ["2026-07-16T01:00:00.123456Z", "2026-07-16T01:00:00.123456789Z", "2026-07-16T00:00:00.000001Z", 1, "2026-07-16T01:00:00Z"]);
  });
  it("reject what is not an instant with a zone", () => {
    assert.deepEqual(["2026-07-16T01:00:00", "2026-07-16", "yesterday", "2026-07-16T01:00:00.1234567890Z"].map(isoToNanos), [undefined, undefined, undefined, undefined]);
    assert.throws(() => compareIso("2026-07-16T01:00:00", "2026-07-16T01:00:00Z"), RangeError);
  });
});

describe("streams of a collector's options", () => {
  const types = (options: Parameters<typeof resolveStreams>[0]) => {
    const r = resolveStreams(options);
    return "streams" in r ? r.streams.map((s) => `${s.scope === "workspace" ? "ws" : "org"}:${s.eventType}`) : r.problem;
  };
  it("default to every documented type whose scope has an id, conversation messages only with the opt-in", () => {
    assert.deepEqual([types({ workspaceId: WS }), types({ organizationId: ORG_ID }), types({ workspaceId: WS, organizationId: ORG_ID, includeConversationMessages: true })], [
      ["ws:AUTH_LOG", "ws:AUDIT_LOG", "ws:APP_LOG", "ws:APP_AUTH_LOG", "ws:CODEX_LOG", "ws:CODEX_SECURITY_LOG", "ws:CUSTOM_AGENTS_LOG"],
      ["org:COSTS"],
      ["ws:AUTH_LOG", "ws:AUDIT_LOG", "ws:APP_LOG", "ws:APP_AUTH_LOG", "ws:CODEX_LOG", "ws:CODEX_SECURITY_LOG", "ws:CUSTOM_AGENTS_LOG", "ws:CONVERSATION_MESSAGE", "org:COSTS"],
    ]);
  });
  it("send named types to the first scope they are listed at that has an id; a new type goes to the workspace", () => {
    assert.deepEqual([types({ organizationId: ORG_ID, eventTypes: ["APP_LOG", "COSTS"] }), types({ workspaceId: WS, eventTypes: ["MEMORY_CONTEXT"], includeConversationMessages: true })],
      [["org:APP_LOG", "org:COSTS"], ["ws:MEMORY_CONTEXT", "ws:CONVERSATION_MESSAGE"]]);
  });
  it("name the field that is wrong", () => {
    assert.deepEqual([types({}), types({ workspaceId: WS, eventTypes: ["CONVERSATION_MESSAGE"] }), types({ workspaceId: WS, eventTypes: ["COSTS"] })].map((p) => (p as { field: string }).field),
      ["compliance", "compliance.eventTypes", "compliance.eventTypes"]);
  });
});

describe("the log-file listing", () => {
  const file = (id: string, end: string, extra: Record<string, unknown> = {}) => ({ id, event_type: "AUTH_LOG", end_time: end, file_name: `AUTH_LOG_${end}.jsonl`, file_size: 10, file_sha256: "A".repeat(64), ...extra });
  it("parses files, keeps the server's position, and leaves out files of another type", () => {
    const page = parseLogFilePage(JSON.stringify({ data: [file("eclf_1", "2026-07-16T01:00:00.1Z"), file("eclf_2", "2026-07-16T02:00:00.2Z", { event_type: "AUDIT_LOG" })], has_more: true, last_end_time: "2026-07-16T02:00:00.2Z" }), "AUTH_LOG");
    assert.deepEqual(page, { files: [{ id: "eclf_1", eventType: "AUTH_LOG", endTime: "2026-07-16T01:00:00.1Z", fileName: "AUTH_LOG_2026-07-16T01:00:00.1Z.jsonl", fileSize: 10, sha256: "a".repeat(64) }], foreign: 1, hasMore: true, lastEndTime: "2026-07-16T02:00:00.2Z" });
  });
  it("takes an empty page with a null or missing last_end_time as empty", () => {
    assert.deepEqual([parseLogFilePage('{"data":[],"has_more":false,"last_end_time":null}', "X"), parseLogFilePage('{"data":[],"has_more":false}', "X")],
      [{ files: [], foreign: 0, hasMore: false, lastEndTime: null }, { files: [], foreign: 0, hasMore: false, lastEndTime: null }]);
  });
  const bad: Array<[string, unknown]> = [
    ["not JSON", "<html>"], ["no data", { has_more: false }], ["no has_more", { data: [] }],
    ["files but no last_end_time", { data: [file("e", "2026-07-16T01:00:00Z")], has_more: false, last_end_time: null }],
    ["a last_end_time before its own files", { data: [file("e", "2026-07-16T01:00:00Z")], has_more: false, last_end_time: "2026-07-16T00:59:59Z" }],
    ["more, but nothing to continue from", { data: [], has_more: true, last_end_time: null }],
    ["a file without end_time", { data: [{ id: "e" }], has_more: false, last_end_time: "2026-07-16T01:00:00Z" }],
    ["a file with a bad digest", { data: [file("e", "2026-07-16T01:00:00Z", { file_sha256: "abc" })], has_more: false, last_end_time: "2026-07-16T01:00:00Z" }],
    ["a negative size", { data: [file("e", "2026-07-16T01:00:00Z", { file_size: -1 })], has_more: false, last_end_time: "2026-07-16T01:00:00Z" }],
  ];
  for (const [name, body] of bad) {
    it(`rejects a page with ${name}`, () => assert.throws(() => parseLogFilePage(typeof body === "string" ? body : JSON.stringify(body), "AUTH_LOG"), { name: "MalformedResponseError" }));
  }
});

describe("the stream cursor", () => {
  const origin = "2026-07-16T00:00:00.000000Z";
  const cursor: LogFileCursor = { after: "2026-07-16T05:00:00.000001Z", delivered: [`${Date.parse("2026-07-16T03:30:00Z") / 1000}:old`, `${Date.parse("2026-07-16T04:30:00Z") / 1000}:kept`], partial: null, seen: [] };
  it("lists an overlap before it, never before the start, and exactly from it without an overlap", () => {
    assert.deepEqual([listFrom(cursor, origin, 3_600), listFrom(cursor, "2026-07-16T04:30:00Z", 3_600), listFrom(cursor, origin, 0)],
      ["2026-07-16T04:00:00.000001Z", "2026-07-16T04:30:00Z", "2026-07-16T05:00:00.000001Z"]);
  });
  it("moves only forward: an empty page or an older re-listed page keeps it", () => {
    assert.deepEqual([pageDelivered(cursor, null).after, pageDelivered(cursor, "2026-07-16T04:00:00Z").after, pageDelivered(cursor, "2026-07-16T06:00:00Z").after],
      [cursor.after, cursor.after, "2026-07-16T06:00:00Z"]);
    assert.throws(() => assertForward(cursor, { ...cursor, after: "2026-07-16T04:59:59Z" }, "AUTH_LOG"), /would move backwards/);
  });
  it("forgets files the next listing cannot return and event ids beyond the window or the cap", () => {
    const many = Array.from({ length: MAX_REMEMBERED_EVENT_IDS + 5 }, (_, i) => `${1_000_000 + i}:d${i}`);
    const pruned = pruneCursor({ ...cursor, seen: [...many, "1:ancient"] }, origin, 3_600);
    assert.deepEqual([pruned.delivered, pruned.seen.length, pruned.seen.includes("1:ancient"), pruned.seen.includes("1000004:d4"), pruned.seen.includes("1000005:d5")],
      [[cursor.delivered[1]], MAX_REMEMBERED_EVENT_IDS, false, false, true]);
  });
});

describe("planning and folding compliance streams", () => {
  const streams = [{ eventType: "AUTH_LOG", scope: "workspace" as const, scopeId: WS }, { eventType: "AUDIT_LOG", scope: "workspace" as const, scopeId: WS }, { eventType: "COSTS", scope: "organization" as const, scopeId: ORG_ID }];
  const start = initialComplianceCursor(1_784_160_000);
  it("runs every stream each generation, in waves of the parallelism, from the collector's start", () => {
    const waves = planCompliance(start, streams, 2);
    assert.deepEqual(waves.map((w) => w.map((t) => [t.stream.eventType, t.cursor])), [
      [["AUTH_LOG", initialLogFileCursor("2026-07-16T00:00:00.000000Z")], ["AUDIT_LOG", initialLogFileCursor("2026-07-16T00:00:00.000000Z")]],
      [["COSTS", initialLogFileCursor("2026-07-16T00:00:00.000000Z")]],
    ]);
  });
  it("keeps each stream's returned cursor, is caught up only when all drained, and restarts a stream whose scope id changed", () => {
    const tasks = planCompliance(start, streams, 4).flat();
    const moved = (after: string): LogFileCursor => ({ after, delivered: [], partial: null, seen: [] });
    const next = foldCompliance(start, tasks, [{ ok: true, done: true, cursor: moved("2026-07-16T01:00:00Z") }, { ok: true, done: false, cursor: moved("2026-07-16T02:00:00Z") }, { ok: false, done: false, cursor: moved("2026-07-16T03:00:00Z") }]);
    assert.deepEqual([Object.entries(next.streams).map(([t, s]) => [t, s.after, s.caughtUp]), complianceCaughtUp(next)],
      [[["AUTH_LOG", "2026-07-16T01:00:00Z", true], ["AUDIT_LOG", "2026-07-16T02:00:00Z", false], ["COSTS", "2026-07-16T03:00:00Z", false]], false]);
    const [auth, audit, costs] = planCompliance(next, [streams[0]!, streams[1]!, { ...streams[2]!, scopeId: "org-Other" }], 4)[0]!;
    assert.deepEqual([auth!.cursor.after, audit!.cursor.after, costs!.cursor.after], ["2026-07-16T01:00:00Z", "2026-07-16T02:00:00Z", "2026-07-16T00:00:00.000000Z"]);
  });
});
