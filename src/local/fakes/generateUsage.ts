/**
 * Deterministic usage records of every family for the OpenAI mock (tests, benchmarks and the
 * demo): a few projects, users and API keys, the models each family bills, image sizes and sources,
 * vector stores and search context levels, so every group dimension has values.
 */
import { USAGE_FAMILIES, type UsageFamily } from "../../usage/series";
import { seededRandom } from "./generate";
import type { UsageRecord } from "./usageLedger";

const MODELS: Record<UsageFamily, readonly string[]> = {
  completions: ["gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18", "o3-mini-2025-01-31"],
  embeddings: ["text-embedding-3-small", "text-embedding-3-large"],
  moderations: ["omni-moderation-latest"],
  images: ["dall-e-3", "gpt-image-1"],
  audio_speeches: ["tts-1", "gpt-4o-mini-tts"],
  audio_transcriptions: ["whisper-1", "gpt-4o-transcribe"],
  vector_stores: [],
  code_interpreter_sessions: [],
  file_search_calls: [],
  web_search_calls: ["gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18"],
};

/** Who uses the organization in generated data. */
export interface UsagePopulation {
  readonly projects: readonly string[];
  readonly users: readonly string[];
  readonly apiKeys: readonly string[];
}

/** The default population: 3 projects, 5 users, 6 keys. */
export const DEFAULT_POPULATION: UsagePopulation = {
  projects: ["proj_alpha", "proj_beta", "proj_gamma"],
  users: ["user-ada", "user-bob", "user-cyd", "user-dee", "user-eve"],
  apiKeys: ["key_ops", "key_web", "key_batch", "key_eval", "key_ci", "key_data"],
};

function counts(family: UsageFamily, r: () => number): Record<string, number> {
  const int = (max: number) => 1 + Math.floor(r() * max);
  switch (family) {
    case "completions": {
      const input = int(20_000), cached = Math.floor(input * r() * 0.5), output = int(4_000), requests = int(20);
      return { input_tokens: input, input_cached_tokens: cached, input_uncached_tokens: input - cached, output_tokens: output, input_text_tokens: input - cached, output_text_tokens: output, input_audio_tokens: 0, num_model_requests: requests };
    }
    case "embeddings": return { input_tokens: int(50_000), num_model_requests: int(30) };
    case "moderations": return { input_tokens: int(5_000), num_model_requests: int(10) };
    case "images": return { images: int(4), num_model_requests: int(4) };
    case "audio_speeches": return { characters: int(3_000), num_model_requests: int(5) };
    case "audio_transcriptions": return { seconds: int(600), num_model_requests: int(5) };
    case "vector_stores": return { usage_bytes: int(50_000_000) };
    case "code_interpreter_sessions": return { num_sessions: int(3) };
    case "file_search_calls": return { num_requests: int(12) };
    case "web_search_calls": return { num_model_requests: int(6), num_requests: int(8) };
  }
}

/**
 * `count` usage records spread evenly over [fromSec, toSec), cycling through `families` (all by
 * default), each with random values in its family's group dimensions.
 */
export function generateUsageRecords(count: number, fromSec: number, toSec: number, seed = 5, families: readonly UsageFamily[] = USAGE_FAMILIES, population: UsagePopulation = DEFAULT_POPULATION): UsageRecord[] {
  const random = seededRandom(seed);
  const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)]!;
  const span = Math.max(1, toSec - fromSec);
  const out: UsageRecord[] = [];
  for (let i = 0; i < count; i++) {
    const family = families[i % families.length]!;
    const at = fromSec + Math.floor((i * span) / count);
    const group: Record<string, string | boolean> = { project_id: pick(population.projects) };
    if (!["vector_stores", "code_interpreter_sessions"].includes(family)) Object.assign(group, { user_id: pick(population.users), api_key_id: pick(population.apiKeys) });
    if (MODELS[family].length > 0) group.model = pick(MODELS[family]);
    if (family === "completions") Object.assign(group, { batch: random() < 0.2, service_tier: pick(["default", "flex", "priority"]) });
    if (family === "images") Object.assign(group, { size: pick(["1024x1024", "1024x1792", "512x512"]), source: pick(["image.generation", "image.edit", "image.variation"]) });
    if (family === "file_search_calls") group.vector_store_id = pick(["vs_docs", "vs_tickets"]);
    if (family === "web_search_calls") group.context_level = pick(["low", "medium", "high"]);
    out.push({ id: `usage-${seed}-${i}`, family, at, group, counts: counts(family, random) });
  }
  return out;
}
