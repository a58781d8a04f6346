/**
 * Stored chat completion → `OpenAIChatCompletions_CL` row. Pure. The first 21 columns reproduce
 * Microsoft's 3.0.0 DCR transform; the rest flatten what cost and usage analysis filters on,
 * including the ASimAgentEventLogs column names that the 3.1 solution's queries use.
 */
import { isRawJsonNumber, stringifyExact } from "../json/exactJson";
import type { ChatCompletion } from "../openai/types";
import type { RowOrigin } from "./auditLogRow";
import { additionalFields, asExactLong, asLong, asNumber, asObject, asString, compact, holdsDynamic, holdsReal, holdsString, holdsUnixTime, pick, unixSecondsToIso, type Holds } from "./common";
import { fitRow } from "./fieldLimits";

/** A row of `OpenAIChatCompletions_CL`; keys are column names. */
export type ChatCompletionRow = Record<string, unknown>;

/** `seed` is held by SeedText (its digits, any number) and, when it fits signed 64 bits, Seed. */
const holdsSeed: Holds = (v) => holdsReal(v) || isRawJsonNumber(v);

/** The top-level fields with named columns, and what each column holds exactly (tool_choice: strings; an object keeps its JSON text in ToolChoice). */
const HELD: Readonly<Record<string, Holds>> = {
  id: holdsString, object: holdsString, created: holdsUnixTime, model: holdsString, request_id: holdsString, service_tier: holdsString,
  system_fingerprint: holdsString, choices: holdsDynamic, usage: holdsDynamic, metadata: holdsDynamic, tool_choice: holdsString, tools: holdsDynamic,
  temperature: holdsReal, top_p: holdsReal, frequency_penalty: holdsReal, presence_penalty: holdsReal, seed: holdsSeed, input_user: holdsString,
  response_format: holdsDynamic,
};

/** The exact digits of a numeric seed (the source text for integers beyond 2^53). */
function seedText(seed: unknown): string | undefined {
  if (isRawJsonNumber(seed)) return seed.text;
  return holdsReal(seed) ? String(seed) : undefined;
}

function toolChoiceText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === "string" ? value : stringifyExact(value);
}

function choicesOf(completion: ChatCompletion): unknown[] {
  return Array.isArray(completion.choices) ? completion.choices : [];
}

/**
 * Maps one stored completion to its row. Every top-level field is held exactly by its column(s) or
 * is in AdditionalFields as it came (new fields, and values a column cannot hold, e.g. `model: 5`).
 */
export function toChatCompletionRow(completion: ChatCompletion, origin: RowOrigin): ChatCompletionRow {
  const usage = asObject(completion.usage);
  const choices = choicesOf(completion);
  const finishReasons = choices.map((c) => asString(pick(c, "finish_reason")) ?? null);
  const created = unixSecondsToIso(completion.created);

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
    Choices: holdsDynamic(completion.choices) ? completion.choices : null,
    Usage: holdsDynamic(completion.usage) ? completion.usage : null,
    Metadata: holdsDynamic(completion.metadata) ? completion.metadata : null,
    ToolChoice: toolChoiceText(completion.tool_choice),
    Tools: holdsDynamic(completion.tools) ? completion.tools : null,
    Temperature: asNumber(completion.temperature),
    TopProbability: asNumber(completion.top_p),
    FrequencyPenalty: asNumber(completion.frequency_penalty),
    PresencePenalty: asNumber(completion.presence_penalty),
    Seed: asExactLong(completion.seed),
    InputUser: asString(completion.input_user),
    ResponseFormat: holdsDynamic(completion.response_format) ? completion.response_format : null,
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
    SeedText: seedText(completion.seed),
    AdditionalFields: additionalFields(completion, HELD),
    CollectorId: origin.collectorId,
  }));
}
