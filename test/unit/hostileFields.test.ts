/**
 * Issue #10 part 5 against hostile input: field names that collide with Object.prototype, event
 * types naming no field, duplicate keys, 64-bit integers in compliance records, and values nested
 * deeper than JSON.stringify can follow. Each row must still carry every field exactly once, and
 * building it must not throw (a throw fails the page for good: the cursor never moves).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseJsonExact, RawJsonNumber, stringifyExact } from "../../src/json/exactJson";
import { parseRecord } from "../../src/compliance/jsonLines";
import { toChatGPTCostRow, toComplianceLogRow } from "../../src/rows/complianceLogRow";
import { toChatCompletionRow } from "../../src/rows/chatCompletionRow";
import { limitDynamic, MAX_DYNAMIC_DEPTH, TRUNCATED_STRING } from "../../src/rows/fieldLimits";
import { snapshotRows } from "../../src/rows/usageRow";
import { toAuditLogRow } from "../../src/rows/auditLogRow";

const origin = { connectorName: "C", collectorId: "c", collectedAt: "2026-11-25T10:00:00.000Z" };
const at = "2024-07-12T17:09:50.000Z";
const base = { TimeGenerated: at, EffectiveAt: at, ActorApiKey: null, ActorSession: null, Project: null, ConnectorName: "C", CollectorId: "c", Scope: "organization" };

/** `levels` arrays around `leaf`, as JSON text. */
function nestedText(levels: number, leaf: string): string {
  return "[".repeat(levels) + leaf + "]".repeat(levels);
}

/** `levels` arrays around `leaf`, as a value (built without recursion). */
function nested(levels: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

describe("hostile field names and values", () => {
  it("invents no EventDetails for an event whose type is __proto__ (or another Object.prototype name) but carries no such field", () => {
    for (const type of ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"]) {
      const row = toAuditLogRow(JSON.parse(`{"id":"e1","type":${JSON.stringify(type)},"effective_at":1720804190}`), origin);
      assert.deepEqual(row, { ...base, Id: "e1", EventType: type, EventDetails: null, AdditionalFields: null }, type);
    }
  });


  it("keeps 64-bit integers exact in a document with duplicate keys (the last value wins, as in JSON.parse)", () => {
    const parsed = parseJsonExact('{"seed":4944116822809979520,"a":1,"a":{"n":-12345678901234567890},"b":2}');
    assert.equal(stringifyExact(parsed), '{"seed":4944116822809979520,"a":{"n":-12345678901234567890},"b":2}');
  });

  it("keeps 64-bit integers exact in a compliance log record", () => {
    const text = '{"event_id":"e","type":"X","event_details":{"n":12345678901234567890},"extra":[-98765432109876543210]}';
    assert.equal(stringifyExact(parseRecord({ line: 1, text }, "f")), text);
  });
  it("keeps a compliance record's envelope fields that their columns cannot hold in Payload (AdditionalFields for COSTS), as they came", () => {
    const origin = { connectorName: "C", collectorId: "c", collectedAt: "2026-11-25T10:00:00.000Z", logFileId: "f", logFileEndTime: "2026-11-25T09:00:00Z", scope: "workspace", line: 7 };
    const stamp = { LogFileId: "f", LogFileEndTime: "2026-11-25T09:00:00.000000Z", ConnectorName: "C", CollectorId: "c" };
    const principal = { id: "ws-1", type: "CHATGPT_WORKSPACE", name: "Main" };
    const record = { event_id: "", type: "AUDIT_LOG", timestamp: 1720804190, principal, actor: "system", request_metadata: ["x"], action: "A" };
    assert.deepEqual(toComplianceLogRow(record, origin), {
      TimeGenerated: "2026-11-25T10:00:00.000Z", EventId: "f:7", EventType: "AUDIT_LOG", PrincipalId: "ws-1", PrincipalType: "CHATGPT_WORKSPACE", Actor: null, RequestMetadata: null,
      Action: "A", ActionData: null, EventDetails: null, Payload: { event_id: "", timestamp: 1720804190, principal, actor: "system", request_metadata: ["x"], action: "A" }, Scope: "workspace", ...stamp,
    });
    assert.deepEqual(toChatGPTCostRow({ event_id: "e2", type: "COSTS", timestamp: "yesterday", payload: ["a"] }, origin), {
      TimeGenerated: "2026-11-25T10:00:00.000Z", EventId: "e2", EventType: "COSTS", UserGroups: null, Billing: null, Usage: null, Payload: null,
      AdditionalFields: { timestamp: "yesterday", payload: ["a"] }, ...stamp,
    });
  });
  it("writes 64-bit integers as their digits in JSON text kept in a string column (ToolChoice, a preview), never as the writer's marker", () => {
    const completion = parseJsonExact('{"id":"c1","created":1720804190,"model":"m","tool_choice":{"n":12345678901234567890}}') as Record<string, unknown>;
    const row = toChatCompletionRow(completion as never, origin);
    assert.deepEqual([row.ToolChoice, stringifyExact(row.AdditionalFields)], ['{"n":12345678901234567890}', '{"tool_choice":{"n":12345678901234567890}}']);
    const many = parseJsonExact(`[${Array.from({ length: 9_000 }, () => '{"n":12345678901234567890}').join(",")}]`);
    const preview = limitDynamic(many) as { _preview: string };
    assert.deepEqual(preview._preview.slice(0, 60), stringifyExact(many).slice(0, 60));
  });
  it("builds a row from a value nested 10,000 levels deep: the containers below the depth limit become a preview of their JSON", () => {
    const levels = 10_000;
    // Built, not parsed: lossless-json cannot follow 10,000 levels, so such a document is read by JSON.parse (its integers rounded).
    const event = { id: "e1", type: "x", effective_at: 1720804190, deep: nested(levels, new RawJsonNumber("12345678901234567890")) };
    // AdditionalFields is level 1 and holds deep's arrays from level 2: MAX_DYNAMIC_DEPTH - 2 stay arrays, the next becomes the preview.
    const below = nestedText(levels - (MAX_DYNAMIC_DEPTH - 2), "12345678901234567890");
    const preview = { _truncated: true, _originalBytes: Buffer.byteLength(below), _preview: below };
    assert.deepEqual(toAuditLogRow(event, origin), { ...base, Id: "e1", EventType: "x", EventDetails: null, AdditionalFields: { deep: nested(MAX_DYNAMIC_DEPTH - 2, preview) } });
  });

  it("builds a row from a deep value over the field limit, keeping the structure above the depth limit and a marked preview below", () => {
    const levels = 3_000;
    const long = "y".repeat(70_000);
    const completion = { id: "c1", created: 1720804190, model: "m", choices: [{ index: 0, finish_reason: "stop", deep: nested(levels, long) }] };
    const choices = toChatCompletionRow(completion, origin).Choices;
    // Choices is level 1, the choice level 2: deep keeps MAX_DYNAMIC_DEPTH - 3 arrays.
    const below = nestedText(levels - (MAX_DYNAMIC_DEPTH - 3), JSON.stringify(long));
    let cut: unknown = (choices as Array<{ deep: unknown }>)[0]!.deep;
    for (let i = 0; i < MAX_DYNAMIC_DEPTH - 3 && Array.isArray(cut); i++) cut = cut[0];
    const text = String((cut as { _preview?: unknown })._preview);
    const marker = TRUNCATED_STRING.exec(text);
    assert.deepEqual([marker?.[1], below.startsWith(text.slice(0, -(marker?.[0].length ?? 0)))], [String(Buffer.byteLength(below)), true]);
    assert.deepEqual(choices, [{ index: 0, finish_reason: "stop", deep: nested(MAX_DYNAMIC_DEPTH - 3, { _truncated: true, _originalBytes: Buffer.byteLength(below), _preview: text }) }]);
  });

  it("writes JSON text of any depth as JSON.stringify would, 64-bit integers as digits", () => {
    const value = { a: nested(10_000, { n: new RawJsonNumber("12345678901234567890"), s: "\u0000\ud800", u: undefined }), b: [1, null, true, undefined] };
    assert.equal(stringifyExact(value), `{"a":${nestedText(10_000, '{"n":12345678901234567890,"s":"\\u0000\\ud800"}')},"b":[1,null,true,null]}`);
  });
  it("keeps a usage or costs result's non-string object field, and an unknown field that is null, in AdditionalFields", () => {
    const snapshot = { collectorId: "c", connectorName: "C", bucketWidth: "1d" as const, collectedAt: "2026-11-25T10:00:00.000Z", isRevision: false };
    const bucket = (result: Record<string, unknown>) => ({ startTime: 1720800000, endTime: 1720886400, results: [result] });
    const common = { TimeGenerated: "2024-07-12T16:00:00.000Z", CollectorId: "c", ConnectorName: "C", BucketStart: "2024-07-12T16:00:00.000Z", BucketEnd: "2024-07-13T16:00:00.000Z", BucketWidth: "1d", CollectedAt: "2026-11-25T10:00:00.000Z", SnapshotResults: 1, IsRevision: false };
    assert.deepEqual(snapshotRows("completions", bucket({ object: ["x"], input_tokens: 3, model: null, something_new: null }), snapshot), [{
      ...common, Family: "completions", ObjectType: "organization.usage.completions.result", Id: "completions:1d:1720800000:[null,null,null,null,null,null]", InputTokens: 3,
      AdditionalFields: { object: ["x"], something_new: null },
    }]);
    assert.deepEqual(snapshotRows("costs", bucket({ object: 5, amount: { value: 1.5, currency: "usd" } }), snapshot), [{
      ...common, ObjectType: "5", Id: "costs:1d:1720800000:[null,null,null,\"usd\"]", Amount: 1.5, Currency: "usd", AdditionalFields: { object: 5 },
    }]);
  });
});
