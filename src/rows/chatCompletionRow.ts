/**
 * Stored chat completion → `OpenAIChatCompletions_CL` row. Pure. The first 21 columns reproduce
 * Microsoft's 3.0.0 DCR transform; the rest flatten what cost and usage analysis filters on,
 * including the ASimAgentEventLogs column names that the 3.1 solution's queries use.
 */
import { SEED_TEXT_FIELD, type ChatCompletion } from "../openai/types";
import type { RowOrigin } from "./auditLogRow";
import { asLong, asNumber, asObject, asString, compact, pick, unixSecondsToIso, unknownFields } from "./common";
import { fitRow } from "./fieldLimits";

/** A row of `OpenAIChatCompletions_CL`; keys are column names. */
export type ChatCompletionRow = Record<string, unknown>;

const MAPPED_KEYS = new Set([
  "id", "object", "created", "model", "request_id", "service_tier", "system_fingerprint", "choices", "usage",
  "metadata", "tool_choice", "tools", "temperature", "top_p", "frequency_penalty", "presence_penalty", "seed",
  "input_user", "response_format", SEED_TEXT_FIELD,
]);

function toolChoiceText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === "string" ? value : JSON.stringify(value);
}

function choicesOf(completion: ChatCompletion): unknown[] {
  return Array.isArray(completion.choices) ? completion.choices : [];
}

/** Maps one stored completion to its row. Unknown fields are kept in AdditionalFields. */
export function toChatCompletionRow(completion: ChatCompletion, origin: RowOrigin): ChatCompletionRow {
  const usage = asObject(completion.usage);
  const choices = choicesOf(completion);
  const finishReasons = choices.map((c) => asString(pick(c, "finish_reason")) ?? null);
  const created = unixSecondsToIso(completion.created);
  const seedText = asString(completion[SEED_TEXT_FIELD]) ?? (Number.isInteger(completion.seed) ? String(completion.seed) : undefined);
  const metadata = asObject(completion.metadata);

  return fitRow(compact({
    TimeGenerated: created ?? origin.collectedAt,
    Id: completion.id,
    ObjectType: asString(completion.object),
    CreatedAt: created,
    Model: asString(completion.model),
    RequestId: asString(completion.request_id),
    ServiceTier: asString(completion.service_tier),
    SystemFingerprint: asString(completion.system_fingerprint),
    Choices: Array.isArray(completion.choices) ? completion.choices : null,
    Usage: usage ?? null,
    Metadata: metadata ?? null,
    ToolChoice: toolChoiceText(completion.tool_choice),
    Tools: Array.isArray(completion.tools) || asObject(completion.tools) ? (completion.tools as object) : null,
    Temperature: asNumber(completion.temperature),
    TopProbability: asNumber(completion.top_p),
    FrequencyPenalty: asNumber(completion.frequency_penalty),
    PresencePenalty: asNumber(completion.presence_penalty),
    Seed: asLong(seedText),
    InputUser: asString(completion.input_user),
    ResponseFormat: asObject(completion.response_format) ?? null,
    ConnectorName: origin.connectorName,
    ModelName: asString(completion.model),
    InputTokensUsed: asLong(usage?.prompt_tokens),
    OutputTokensUsed: asLong(usage?.completion_tokens),
    TotalTokensUsed: asLong(usage?.total_tokens),
    CachedInputTokens: asLong(pick(usage, "prompt_tokens_details", "cached_tokens")),
    ReasoningTokens: asLong(pick(usage, "completion_tokens_details", "reasoning_tokens")),
    AudioInputTokens: asLong(pick(usage, "prompt_tokens_details", "audio_tokens")),
    AudioOutputTokens: asLong(pick(usage, "completion_tokens_details", "audio_tokens")),
    AcceptedPredictionTokens: asLong(pick(usage, "completion_tokens_details", "accepted_prediction_tokens")),
    RejectedPredictionTokens: asLong(pick(usage, "completion_tokens_details", "rejected_prediction_tokens")),
    FinishReasons: finishReasons,
    FirstFinishReason: finishReasons[0] ?? undefined,
    ChoiceCount: choices.length,
    HasToolCalls: choices.some((c) => {
      const calls = pick(c, "message", "tool_calls");
      return (Array.isArray(calls) && calls.length > 0) || asObject(pick(c, "message", "function_call")) !== undefined;
    }),
    HasRefusal: choices.some((c) => typeof pick(c, "message", "refusal") === "string"),
    MetadataUser: asString(metadata?.user),
    SeedText: seedText,
    AdditionalFields: unknownFields(completion, MAPPED_KEYS),
    CollectorId: origin.collectorId,
  }));
}
