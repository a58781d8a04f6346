/**
 * Issue #10 parts 4 and 5 on the row mappers: every source field reaches the row unchanged, and a
 * field over the size limit keeps its structure (the longest strings are cut, visibly, with the
 * original length in the marker).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ChatCompletion } from "../../src/openai/types";
import { toAuditLogRow } from "../../src/rows/auditLogRow";
import { toChatCompletionRow } from "../../src/rows/chatCompletionRow";

const origin = { connectorName: "C", collectorId: "c", collectedAt: "2026-11-25T10:00:00.000Z" };
const CUT = /…\[truncated by openai-sentinel-connector from (\d+) bytes\]$/;
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), "utf8");

describe("every source field reaches the row", () => {
  it("keeps the audit record's top-level object field (in AdditionalFields)", () => {
    const row = toAuditLogRow({ object: "organization.audit_log", id: "a1", type: "login.succeeded", effective_at: 1720804190 }, origin);
    assert.deepEqual(row.AdditionalFields, { object: "organization.audit_log" });
  });

  it("puts a payload that is not an object into EventDetails as it came", () => {
    const row = toAuditLogRow({ id: "a2", type: "unknown.array", effective_at: 1720804190, "unknown.array": ["item1", "item2"] }, origin);
    assert.deepEqual([row.EventDetails, row.AdditionalFields], [["item1", "item2"], null]);
  });

  it("copies a field its column cannot hold exactly into AdditionalFields as it came, keeping the column", () => {
    const row = toChatCompletionRow({ id: "c1", created: 1700000000, model: 5 as unknown as string, temperature: "0.5", seed: "7", service_tier: null }, origin);
    assert.deepEqual([row.Model, row.Temperature, row.AdditionalFields], ["5", 0.5, { model: 5, temperature: "0.5", seed: "7" }]);
  });
  it("keeps a field named __proto__ as a field, short or cut, at the top and nested (fast-check seed -1480430494)", () => {
    const wire = `{"id":"c2","created":1700000000,"__proto__":"${"x".repeat(70_000)}","metadata":{"__proto__":{"a":1}}}`;
    const row = toChatCompletionRow(JSON.parse(wire) as ChatCompletion, origin);
    const extra = row.AdditionalFields as Record<string, unknown>;
    assert.deepEqual([Object.keys(extra), Object.getPrototypeOf(extra) === Object.prototype, typeof extra["__proto__"]], [["__proto__"], true, "string"]);
    assert.match(extra["__proto__"] as string, CUT);
    assert.equal(JSON.stringify(row.Metadata), '{"__proto__":{"a":1}}');
    const audit = toAuditLogRow(JSON.parse('{"id":"a3","type":"login.succeeded","effective_at":1720804190,"__proto__":"p","login.succeeded":{"__proto__":"q"}}'), origin);
    assert.deepEqual([JSON.stringify(audit.AdditionalFields), JSON.stringify(audit.EventDetails)], ['{"__proto__":"p"}', '{"__proto__":"q"}']);
  });
});

describe("truncation keeps the structure", () => {
  const answer = "The answer is… ".repeat(7_000); // ~105 KB
  const toolCalls = [{ id: "call_1", type: "function", function: { name: "lookup", arguments: '{"q":"x"}' } }];
  const completion: ChatCompletion = {
    id: "c2", created: 1700000000, model: "gpt-4o", usage: { prompt_tokens: 10, completion_tokens: 20_000, total_tokens: 20_010 },
    choices: [{ index: 0, finish_reason: "tool_calls", logprobs: null, message: { role: "assistant", content: answer, tool_calls: toolCalls } }],
  };

  it("cuts a 100 KB answer in Choices and keeps finish_reason, index, tool calls and usage queryable", () => {
    const row = toChatCompletionRow(completion, origin);
    const choice = (row.Choices as Array<{ index: number; finish_reason: string; message: { content: string; tool_calls: unknown } }>)[0]!;
    const cut = CUT.exec(choice.message.content);
    assert.deepEqual([choice.index, choice.finish_reason, choice.message.tool_calls, row.Usage, row.FirstFinishReason, row.HasToolCalls],
      [0, "tool_calls", toolCalls, completion.usage, "tool_calls", true]);
    assert.deepEqual([cut?.[1], answer.startsWith(choice.message.content.slice(0, -cut![0].length)), bytes(row.Choices) <= 64 * 1024, bytes(row.Choices) > 60 * 1024],
      [String(Buffer.byteLength(answer)), true, true, true]);
  });

  it("cuts the longest strings of EventDetails first and keeps every small field", () => {
    const payload = { id: "key_1", data: { scopes: ["a", "b"], note: "n".repeat(50_000), description: "d".repeat(30_000), name: "short" } };
    const row = toAuditLogRow({ id: "a3", type: "api_key.created", effective_at: 1720804190, "api_key.created": payload }, origin);
    const details = row.EventDetails as { id: string; data: { scopes: string[]; note: string; description: string; name: string } };
    assert.deepEqual([details.id, details.data.scopes, details.data.name, row.TargetId, CUT.exec(details.data.note)?.[1], bytes(details) <= 64 * 1024],
      ["key_1", ["a", "b"], "short", "key_1", "50000", true]);
  });

  it("falls back to a preview only when the structure alone is too big", () => {
    const many = Object.fromEntries(Array.from({ length: 8_000 }, (_, i) => [`field_${i}`, i]));
    const row = toAuditLogRow({ id: "a4", type: "x.y", effective_at: 1720804190, "x.y": many }, origin);
    const details = row.EventDetails as { _truncated: boolean; _originalBytes: number; _preview: string };
    assert.deepEqual([details._truncated, details._originalBytes, CUT.test(details._preview), bytes(details) <= 64 * 1024], [true, bytes(many), true, true]);
  });
});
