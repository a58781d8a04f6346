import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RawJsonNumber } from "../../src/json/exactJson";
import { TRUNCATED_STRING } from "../../src/rows/fieldLimits";
import { toChatCompletionRow } from "../../src/rows/chatCompletionRow";
import { parseListPage } from "../../src/openai/parse";
import { CHAT_COMPLETIONS_TABLE, checkRow } from "../../src/schema/tables";
import type { ChatCompletion } from "../../src/openai/types";

const origin = { connectorName: "Prod project", collectorId: "prod-chat", collectedAt: "2026-11-25T10:00:00.000Z" };

describe("toChatCompletionRow", () => {
  it("maps the official list example (with an unsafe seed parsed exactly) to every column", () => {
    const body = `{"object":"list","data":[{"object":"chat.completion","id":"chatcmpl-AyPNinnUqUDYo9SAdA52NobMflmj2","model":"gpt-4.1-2025-04-14","created":1738960610,
      "request_id":"req_ded8ab984ec4bf840f37566c1011c417","tool_choice":null,"usage":{"total_tokens":31,"completion_tokens":18,"prompt_tokens":13,
      "prompt_tokens_details":{"cached_tokens":4,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":2,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},
      "seed":4944116822809979520,"top_p":1.0,"temperature":1.0,"presence_penalty":0.0,"frequency_penalty":0.0,"system_fingerprint":"fp_50cad350e4","input_user":null,
      "service_tier":"default","tools":null,"metadata":{},"choices":[{"index":0,"message":{"content":"Mind of circuits hum","role":"assistant","tool_calls":null,"function_call":null},
      "finish_reason":"stop","logprobs":null}],"response_format":null}],"first_id":"chatcmpl-AyPNinnUqUDYo9SAdA52NobMflmj2","last_id":"chatcmpl-AyPNinnUqUDYo9SAdA52NobMflmj2","has_more":false}`;
    const completion = parseListPage<ChatCompletion>(body).data[0]!;
    const row = toChatCompletionRow(completion, origin);
    assert.deepEqual(row, {
      TimeGenerated: "2025-02-07T20:36:50.000Z", Id: "chatcmpl-AyPNinnUqUDYo9SAdA52NobMflmj2", ObjectType: "chat.completion", CreatedAt: "2025-02-07T20:36:50.000Z",
      Model: "gpt-4.1-2025-04-14", RequestId: "req_ded8ab984ec4bf840f37566c1011c417", ServiceTier: "default", SystemFingerprint: "fp_50cad350e4",
      Choices: completion.choices, Usage: completion.usage, Metadata: {}, Tools: null, Temperature: 1, TopProbability: 1, FrequencyPenalty: 0, PresencePenalty: 0,
      ResponseFormat: null, ConnectorName: "Prod project", ModelName: "gpt-4.1-2025-04-14", InputTokensUsed: 13, OutputTokensUsed: 18, TotalTokensUsed: 31,
      CachedInputTokens: 4, ReasoningTokens: 2, AudioInputTokens: 0, AudioOutputTokens: 0, AcceptedPredictionTokens: 0, RejectedPredictionTokens: 0,
      FinishReasons: ["stop"], FirstFinishReason: "stop", ChoiceCount: 1, HasToolCalls: false, HasRefusal: false, Seed: new RawJsonNumber("4944116822809979520"), SeedText: "4944116822809979520",
      AdditionalFields: null, CollectorId: "prod-chat",
    });
    assert.deepEqual(checkRow(CHAT_COMPLETIONS_TABLE, row), []);
  });

  it("collects every choice's finish reason, tool calls, refusals, object tool_choice and unknown fields", () => {
    const row = toChatCompletionRow({
      id: "c2", created: 1700000000, model: "o3", tool_choice: { type: "function", function: { name: "f" } }, seed: 7, metadata: { user: "alice" },
      choices: [{ index: 0, finish_reason: "tool_calls", message: { role: "assistant", content: null, tool_calls: [{ id: "t", type: "function", function: { name: "f", arguments: "{}" } }] } },
        { index: 1, finish_reason: "content_filter", message: { role: "assistant", content: null, refusal: "I can't help with that" } }],
      moderation: { input: null }, future_field: 1,
    }, origin);
    assert.deepEqual([row.FinishReasons, row.FirstFinishReason, row.ChoiceCount, row.HasToolCalls, row.HasRefusal, row.ToolChoice, row.Seed, row.SeedText, row.MetadataUser, row.AdditionalFields],
      [["tool_calls", "content_filter"], "tool_calls", 2, true, true, '{"type":"function","function":{"name":"f"}}', 7, "7", "alice", { moderation: { input: null }, future_field: 1, tool_choice: { type: "function", function: { name: "f" } } }]);
    assert.deepEqual(checkRow(CHAT_COMPLETIONS_TABLE, row), []);
  });

  it("tolerates a minimal completion with no usage or choices", () => {
    const row = toChatCompletionRow({ id: "c3", created: 1700000000 }, origin);
    assert.deepEqual(row, { TimeGenerated: "2023-11-14T22:13:20.000Z", Id: "c3", CreatedAt: "2023-11-14T22:13:20.000Z", Choices: null, Usage: null, Metadata: null, Tools: null,
      ResponseFormat: null, ConnectorName: "Prod project", FinishReasons: [], ChoiceCount: 0, HasToolCalls: false, HasRefusal: false, AdditionalFields: null, CollectorId: "prod-chat" });
    assert.deepEqual(checkRow(CHAT_COMPLETIONS_TABLE, row), []);
  });

  it("keeps unicode content and stays under the row limit with huge choices", () => {
    const text = "東京 🚀 ".repeat(100_000);
    const row = toChatCompletionRow({ id: "c4", created: 1700000000, choices: [{ index: 0, finish_reason: "stop", message: { content: text } }], tools: [{ description: text }] }, origin);
    assert.ok(Buffer.byteLength(JSON.stringify(row)) < 1_000_000);
    const choice = (row.Choices as Array<{ index: number; finish_reason: string; message: { content: string } }>)[0]!;
    assert.deepEqual([choice.index, choice.finish_reason, TRUNCATED_STRING.exec(choice.message.content)?.[1]], [0, "stop", String(Buffer.byteLength(text))]);
    assert.deepEqual(checkRow(CHAT_COMPLETIONS_TABLE, row), []);
    const small = toChatCompletionRow({ id: "c5", created: 1, choices: [{ index: 0, message: { content: "Привет 👋" } }] }, origin);
    assert.equal((small.Choices as Array<{ message: { content: string } }>)[0]!.message.content, "Привет 👋");
  });
});
