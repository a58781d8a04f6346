/**
 * What OpenAI's usage and costs endpoints offer, as data: every usage family (one
 * `/organization/usage/{family}` endpoint each) and the costs endpoint, with the group dimensions
 * each one can group by, the numeric fields of its results, the bucket widths it accepts and the
 * page limit per width. Source for every fact: openai-openapi.yaml, `/organization/usage/*`
 * (L13996–L15360) and `/organization/costs` (L10085), the `Usage*Result` and `CostsResult` schemas,
 * and docs/openai-api.md §9 of the shared reference.
 *
 * A "series" is what one cursor walks through: a usage family, or `costs`. Pure data and pure
 * helpers: orchestrators may import it.
 */

/** The usage families, named as the endpoint path segment (`/organization/usage/<family>`). */
export const USAGE_FAMILIES = [
  "completions", "embeddings", "moderations", "images", "audio_speeches", "audio_transcriptions",
  "vector_stores", "code_interpreter_sessions", "file_search_calls", "web_search_calls",
] as const;

/** One usage family. */
export type UsageFamily = (typeof USAGE_FAMILIES)[number];

/** What a cursor walks through: a usage family or the costs endpoint. */
export type SeriesName = UsageFamily | "costs";

/** Bucket widths as the API spells them (`bucket_width`). */
export type BucketWidth = "1m" | "1h" | "1d";

/** Every bucket width, shortest first. */
export const BUCKET_WIDTHS: readonly BucketWidth[] = ["1m", "1h", "1d"];

/** Seconds in one bucket of each width. */
export const BUCKET_SECONDS: Readonly<Record<BucketWidth, number>> = { "1m": 60, "1h": 3_600, "1d": 86_400 };

/**
 * Most buckets one page may hold (`limit`), per width. Usage: "`1d`: default 7, max 31; `1h`:
 * default 24, max 168; `1m`: default 60, max 1440"; costs: "between 1 and 180" (1d only).
 */
const USAGE_PAGE_LIMITS: Readonly<Record<BucketWidth, number>> = { "1m": 1_440, "1h": 168, "1d": 31 };
const COSTS_PAGE_LIMIT = 180;

/** A group dimension (`group_by` value) and the result field that carries it. */
export type GroupDimension =
  | "project_id" | "user_id" | "api_key_id" | "model" | "batch" | "service_tier" | "size" | "source"
  | "vector_store_id" | "context_level" | "line_item";

/** What one series is. */
export interface SeriesInfo {
  /** Path under the API base, e.g. `organization/usage/completions`. */
  readonly path: string;
  /** The `object` of its results, e.g. `organization.usage.completions.result`. */
  readonly resultObject: string;
  /** Every `group_by` value the endpoint accepts; the collector groups by all of them. */
  readonly groupBy: readonly GroupDimension[];
  /** Integer count fields of its results (`Usage*Result` properties of type integer). */
  readonly counts: readonly string[];
  /** Widths the endpoint accepts (`bucket_width` enum). */
  readonly widths: readonly BucketWidth[];
}

const ACCOUNTED: readonly GroupDimension[] = ["project_id", "user_id", "api_key_id", "model"];

/** Every series. Costs results carry `amount`, `quantity` and `quantity_unit` instead of counts. */
export const SERIES: Readonly<Record<SeriesName, SeriesInfo>> = {
  completions: {
    path: "organization/usage/completions", resultObject: "organization.usage.completions.result",
    groupBy: [...ACCOUNTED, "batch", "service_tier"],
    counts: [
      "input_tokens", "input_cached_tokens", "input_cache_write_tokens", "input_uncached_tokens", "output_tokens",
      "input_text_tokens", "output_text_tokens", "input_cached_text_tokens", "input_audio_tokens", "input_cached_audio_tokens",
      "output_audio_tokens", "input_image_tokens", "input_cached_image_tokens", "output_image_tokens", "num_model_requests",
    ],
    widths: BUCKET_WIDTHS,
  },
  embeddings: { path: "organization/usage/embeddings", resultObject: "organization.usage.embeddings.result", groupBy: ACCOUNTED, counts: ["input_tokens", "num_model_requests"], widths: BUCKET_WIDTHS },
  moderations: { path: "organization/usage/moderations", resultObject: "organization.usage.moderations.result", groupBy: ACCOUNTED, counts: ["input_tokens", "num_model_requests"], widths: BUCKET_WIDTHS },
  images: { path: "organization/usage/images", resultObject: "organization.usage.images.result", groupBy: [...ACCOUNTED, "size", "source"], counts: ["images", "num_model_requests"], widths: BUCKET_WIDTHS },
  audio_speeches: { path: "organization/usage/audio_speeches", resultObject: "organization.usage.audio_speeches.result", groupBy: ACCOUNTED, counts: ["characters", "num_model_requests"], widths: BUCKET_WIDTHS },
  audio_transcriptions: { path: "organization/usage/audio_transcriptions", resultObject: "organization.usage.audio_transcriptions.result", groupBy: ACCOUNTED, counts: ["seconds", "num_model_requests"], widths: BUCKET_WIDTHS },
  vector_stores: { path: "organization/usage/vector_stores", resultObject: "organization.usage.vector_stores.result", groupBy: ["project_id"], counts: ["usage_bytes"], widths: BUCKET_WIDTHS },
  code_interpreter_sessions: { path: "organization/usage/code_interpreter_sessions", resultObject: "organization.usage.code_interpreter_sessions.result", groupBy: ["project_id"], counts: ["num_sessions"], widths: BUCKET_WIDTHS },
  // The spec names these results file_searches / web_searches, not *_calls.
  file_search_calls: { path: "organization/usage/file_search_calls", resultObject: "organization.usage.file_searches.result", groupBy: ["project_id", "user_id", "api_key_id", "vector_store_id"], counts: ["num_requests"], widths: BUCKET_WIDTHS },
  web_search_calls: { path: "organization/usage/web_search_calls", resultObject: "organization.usage.web_searches.result", groupBy: [...ACCOUNTED, "context_level"], counts: ["num_model_requests", "num_requests"], widths: BUCKET_WIDTHS },
  costs: { path: "organization/costs", resultObject: "organization.costs.result", groupBy: ["project_id", "line_item", "api_key_id"], counts: [], widths: ["1d"] },
};

/** Whether `value` names a usage family. */
export function isUsageFamily(value: unknown): value is UsageFamily {
  return typeof value === "string" && (USAGE_FAMILIES as readonly string[]).includes(value);
}

/** The page limit (`limit`, in buckets) a series allows at a width: the documented maximum. */
export function pageLimit(series: SeriesName, width: BucketWidth): number {
  return series === "costs" ? COSTS_PAGE_LIMIT : USAGE_PAGE_LIMITS[width];
}

/**
 * When a bucket is first collected and how long it is re-read, per series kind. OpenAI documents
 * neither; these are this connector's decisions (README "Usage and costs"):
 * - usage buckets are read once they are `settleSeconds` past their end (15 minutes: the
 *   finalization grace Elastic's OpenAI integration adopted after seeing per-minute buckets revised
 *   for several minutes, shared reference docs/openai-api.md §9), then re-read every poll while their
 *   end is less than `revisionSeconds` old (a day), at most `maxRevisionBuckets` buckets back;
 * - cost buckets (days) are read an hour after the day ends and re-read for a week, since cost
 *   lines are revised after the day.
 */
export interface SettlePolicy {
  /** A bucket is read first once `now ≥ end + settleSeconds`. */
  readonly settleSeconds: number;
  /** Settled buckets are re-read while `now < end + revisionSeconds`. */
  readonly revisionSeconds: number;
  /** Re-reads reach back at most this many buckets (bounds the remembered digests). */
  readonly maxRevisionBuckets: number;
}

/** The policy of usage families and of costs. */
export const SETTLE_POLICY: Readonly<Record<"usage" | "costs", SettlePolicy>> = {
  usage: { settleSeconds: 900, revisionSeconds: 86_400, maxRevisionBuckets: 60 },
  costs: { settleSeconds: 3_600, revisionSeconds: 7 * 86_400, maxRevisionBuckets: 8 },
};

/** The policy that applies to a series. */
export function settlePolicy(series: SeriesName): SettlePolicy {
  return SETTLE_POLICY[series === "costs" ? "costs" : "usage"];
}

/** The default bucket width of new usage collectors: hourly (a spike shows within about 75 minutes). */
export const DEFAULT_USAGE_BUCKET_WIDTH: BucketWidth = "1h";

/**
 * A group value as results carry it: a string, a boolean (`batch`), or null when not set; a value
 * of another shape (an object or array, which the spec does not send) as `{ json }`, its JSON with
 * keys sorted, so two such groups stay distinct and never collide with a string value.
 */
export type GroupValue = string | boolean | number | null | { readonly json: string };

/** JSON with object keys sorted at every level (undefined members left out), so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * The values that identify a result's group within its bucket, in `groupBy` order (costs add the
 * currency, since one line item could be billed in two). Values of another type than documented are
 * kept as they are; absent ones are null.
 */
export function groupValues(series: SeriesName, result: Readonly<Record<string, unknown>>): GroupValue[] {
  const pick = (value: unknown): GroupValue =>
    typeof value === "string" || typeof value === "boolean" || typeof value === "number" ? value : value !== null && typeof value === "object" ? { json: canonicalJson(value) } : null;
  const values = SERIES[series].groupBy.map((dimension) => pick(result[dimension]));
  if (series === "costs") {
    const amount = result.amount;
    values.push(pick(amount !== null && typeof amount === "object" ? (amount as Record<string, unknown>).currency : undefined));
  }
  return values;
}

/** A result's group as one string (a JSON array of {@link groupValues}): unique within a bucket. */
export function groupKey(series: SeriesName, result: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(groupValues(series, result));
}
